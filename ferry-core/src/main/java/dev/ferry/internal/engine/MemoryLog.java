package dev.ferry.internal.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A topic log held in memory only, for ephemeral topics and the in-memory bus. Offsets count
 * encoded bytes as in a file log, so both behave alike; nothing is lost to a size bound here (the
 * topic applies its bounds by freeing). Not thread-safe.
 */
final class MemoryLog implements TopicLog {
    private static final long SEGMENT = 1 << 20;
    private final RecordRing ring = new RecordRing(1024);
    private long startOffset;
    private long startSeq;
    private long endOffset;
    private long endSeq;

    @Override
    public void append(long[] ids, long timestamp, long[] dueAts, List<byte[]> bodies) {
        for (int i = 0; i < bodies.size(); i++) {
            byte[] body = bodies.get(i);
            int size = RecordCodec.size(body.length);
            ring.add(new LogRecord(endOffset, endSeq, ids[i], timestamp, dueAts[i], 0, body, size));
            endOffset += size;
            endSeq++;
        }
    }

    @Override
    public List<LogRecord> read(long offset, long seq, int max) {
        List<LogRecord> out = new ArrayList<>(Math.min(max, 256));
        for (long s = Math.max(seq, startSeq); s < endSeq && out.size() < max; s++) {
            out.add(ring.bySeq(s));
        }
        return out;
    }

    @Override
    public LogRecord readAt(long offset) {
        return ring.byOffset(offset);
    }

    @Override
    public long startOffset() {
        return startOffset;
    }

    @Override
    public long startSeq() {
        return startSeq;
    }

    @Override
    public long endOffset() {
        return endOffset;
    }

    @Override
    public long endSeq() {
        return endSeq;
    }

    @Override
    public long segmentBaseOf(long offset) {
        return offset - offset % SEGMENT;
    }

    @Override
    public boolean freeBefore(long offset) {
        if (offset <= startOffset) {
            return false;
        }
        ring.removeBefore(Math.min(offset, endOffset));
        LogRecord first = ring.first();
        startOffset = first == null ? endOffset : first.offset();
        startSeq = first == null ? endSeq : first.seq();
        return true;
    }

    @Override
    public long retentionCut(long maxBytes, long maxAgeMillis, long nowMillis) {
        LogRecord first = ring.first();
        if (first == null) {
            return -1;
        }
        boolean tooBig = maxBytes > 0 && ring.bytes() > maxBytes;
        boolean tooOld = maxAgeMillis > 0 && first.timestamp() / 1_000_000 < nowMillis - maxAgeMillis;
        return tooBig || tooOld ? first.nextOffset() : -1;
    }

    @Override
    public void forEachCached(java.util.function.Consumer<LogRecord> visitor) {
        ring.forEach(visitor);
    }

    @Override
    public long lastId() {
        LogRecord last = ring.last();
        return last == null ? 0 : last.id();
    }

    @Override
    public long sizeBytes() {
        return ring.bytes();
    }

    @Override
    public void force() {}

    @Override
    public void close() {}

    @Override
    public void delete() {
        ring.clear();
        startOffset = endOffset;
        startSeq = endSeq;
    }
}
