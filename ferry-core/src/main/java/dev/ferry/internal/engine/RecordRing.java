package dev.ferry.internal.engine;

import java.util.Arrays;

/**
 * The most recent records of a log in memory, indexed by sequence number, so that channels reading
 * near the tail never touch the file. It grows as records come: its owner bounds it, by dropping or
 * moving out the oldest ({@link SpillingRecordRing}), or keeps everything ({@link MemoryLog}). Not
 * thread-safe.
 *
 * <p>Each record's size is kept beside it, so that dropping the oldest record does not read that
 * record (by then long out of the CPU's caches) on every append of a full cache.
 */
final class RecordRing {
    private LogRecord[] items;
    private int[] sizes;
    private int head;
    private int count;
    private long bytes;

    /** A ring with room for {@code capacity} records before it first grows. */
    RecordRing(int capacity) {
        this.items = new LogRecord[capacity];
        this.sizes = new int[items.length];
    }

    void add(LogRecord record) {
        if (count == items.length) {
            grow();
        }
        int at = (head + count) % items.length;
        int size = record.size();
        items[at] = record;
        sizes[at] = size;
        count++;
        bytes += size;
    }

    private void grow() {
        LogRecord[] bigger = new LogRecord[Math.max(1, items.length * 2)];
        int[] biggerSizes = new int[bigger.length];
        for (int i = 0; i < count; i++) {
            bigger[i] = items[(head + i) % items.length];
            biggerSizes[i] = sizes[(head + i) % items.length];
        }
        items = bigger;
        sizes = biggerSizes;
        head = 0;
    }

    void removeFirst() {
        items[head] = null;
        bytes -= sizes[head];
        head = (head + 1) % items.length;
        count--;
    }

    /** Drops records whose offset is below {@code offset}. */
    void removeBefore(long offset) {
        while (count > 0 && items[head].offset() < offset) {
            removeFirst();
        }
    }

    void clear() {
        Arrays.fill(items, null);
        head = 0;
        count = 0;
        bytes = 0;
    }

    int size() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    LogRecord first() {
        return count == 0 ? null : items[head];
    }

    void forEach(java.util.function.Consumer<LogRecord> visitor) {
        for (int i = 0; i < count; i++) {
            visitor.accept(items[(head + i) % items.length]);
        }
    }

    LogRecord last() {
        return count == 0 ? null : items[(head + count - 1) % items.length];
    }

    /** The record with sequence number {@code seq}, or null when it is not held. */
    LogRecord bySeq(long seq) {
        if (count == 0) {
            return null;
        }
        long index = seq - items[head].seq();
        if (index < 0 || index >= count) {
            return null;
        }
        return items[(int) ((head + index) % items.length)];
    }

    /** The record starting at {@code offset}, or null when it is not held. */
    LogRecord byOffset(long offset) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            LogRecord r = items[(head + mid) % items.length];
            if (r.offset() < offset) {
                lo = mid + 1;
            } else if (r.offset() > offset) {
                hi = mid - 1;
            } else {
                return r;
            }
        }
        return null;
    }
}
