package dev.ferry.internal.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** A retry store in memory, for channels that keep nothing on disk. Not thread-safe. */
final class MemoryRetryStore implements RetryStore {
    private final Map<Long, TreeMap<Long, LogRecord>> buckets = new HashMap<>();
    private long nextPos;

    @Override
    public long append(long bucket, long key, long id, long timestamp, long dueAt, int attempts, byte[] body) {
        long pos = nextPos++;
        buckets.computeIfAbsent(bucket, b -> new TreeMap<>())
                .put(pos, new LogRecord(pos, key, id, timestamp, dueAt, attempts, body, RecordCodec.size(body.length)));
        return pos;
    }

    @Override
    public LogRecord read(long bucket, long pos) {
        TreeMap<Long, LogRecord> records = buckets.get(bucket);
        return records == null ? null : records.get(pos);
    }

    @Override
    public List<LogRecord> readAll(long bucket) {
        TreeMap<Long, LogRecord> records = buckets.get(bucket);
        return records == null ? List.of() : new ArrayList<>(records.values());
    }

    @Override
    public void delete(long bucket) {
        buckets.remove(bucket);
    }

    @Override
    public SortedSet<Long> buckets() {
        return new TreeSet<>(buckets.keySet());
    }

    @Override
    public void sync(boolean force) {}

    @Override
    public void close() {}
}
