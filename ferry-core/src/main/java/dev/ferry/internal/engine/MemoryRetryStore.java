package dev.ferry.internal.engine;

import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A retry store in memory, for channels that keep nothing on disk. Positions only grow, so a
 * bucket's records, kept in insertion order, are in position order. Not thread-safe: the owning
 * topic's lock guards it.
 */
final class MemoryRetryStore implements RetryStore {
    private final Long2ObjectOpenHashMap<Long2ObjectLinkedOpenHashMap<LogRecord>> buckets =
            new Long2ObjectOpenHashMap<>();
    private long nextPos;

    @Override
    public long append(long bucket, long key, long id, long timestamp, long dueAt, int attempts, byte[] body) {
        long pos = nextPos++;
        Long2ObjectLinkedOpenHashMap<LogRecord> records = buckets.get(bucket);
        if (records == null) {
            records = new Long2ObjectLinkedOpenHashMap<>();
            buckets.put(bucket, records);
        }
        records.put(pos, new LogRecord(pos, key, id, timestamp, dueAt, attempts, body, RecordCodec.size(body.length)));
        return pos;
    }

    @Override
    public LogRecord read(long bucket, long pos) {
        Long2ObjectLinkedOpenHashMap<LogRecord> records = buckets.get(bucket);
        return records == null ? null : records.get(pos);
    }

    @Override
    public List<LogRecord> readAll(long bucket) {
        Long2ObjectLinkedOpenHashMap<LogRecord> records = buckets.get(bucket);
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
