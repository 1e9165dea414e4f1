package dev.ferry.internal.engine;

import java.util.function.Consumer;

/**
 * A tail cache's records in two tiers: the newest few on the Java heap as they were appended
 * (readers at the tail get the appender's body arrays, no copy), the older ones spilled into an
 * {@link OffHeapRecordRing} (a read copies the body out). Together they hold a contiguous run of
 * records, bounded in records and bytes; the oldest fall out first.
 *
 * <p>Why two tiers: a record on the heap that lives through a young collection is copied by it, and
 * a cache holds its records for a long time, so a cache wholly on the heap costs every young pause
 * tens of MiB of copying at high rates. The heap tier is small ({@link #HEAP_RECORDS} records and
 * {@link #HEAP_BYTES} bytes): what a collection can find alive there is bounded by that, while the
 * common reader, close behind the writer, still takes bodies without a copy or an allocation.
 *
 * <p>Not thread-safe: {@link TailCache} serialises every call.
 */
final class SpillingRecordRing {
    /** Records kept on the heap at most, the newest. */
    static final int HEAP_RECORDS = 1024;

    /** Bytes (records' sizes in their files) kept on the heap at most. */
    static final long HEAP_BYTES = 256 * 1024;

    private final int maxRecords;
    private final long maxBytes;
    private final RecordRing heap;
    private final OffHeapRecordRing spilled;

    SpillingRecordRing(int maxRecords, long maxBytes) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.heap = new RecordRing(Math.min(maxRecords, HEAP_RECORDS));
        this.spilled = new OffHeapRecordRing(maxRecords, maxBytes);
    }

    /** Adds a record, the next in sequence; the heap tier's oldest spill to make room for it. */
    void add(LogRecord record) {
        while (heap.size() > 0
                && (heap.size() >= Math.min(maxRecords, HEAP_RECORDS) || heap.bytes() + record.size() > HEAP_BYTES)) {
            spilled.add(heap.first());
            heap.removeFirst();
        }
        heap.add(record);
        while (size() > 1 && (size() > maxRecords || bytes() > maxBytes)) {
            removeFirst();
        }
    }

    int size() {
        return heap.size() + spilled.size();
    }

    long bytes() {
        return heap.bytes() + spilled.bytes();
    }

    /** The oldest record's offset; the ring must not be empty. */
    long firstOffset() {
        return spilled.size() > 0 ? spilled.firstOffset() : heap.first().offset();
    }

    /** The oldest record's size in its file; the ring must not be empty. */
    int firstSize() {
        return spilled.size() > 0 ? spilled.firstSize() : heap.first().size();
    }

    void removeFirst() {
        if (spilled.size() > 0) {
            spilled.removeFirst();
        } else {
            heap.removeFirst();
        }
    }

    /** Drops records whose offset is below {@code offset}. */
    void removeBefore(long offset) {
        spilled.removeBefore(offset);
        if (spilled.size() == 0) {
            heap.removeBefore(offset);
        }
    }

    /** Gives back off-heap memory after records were dropped other than by appending. */
    void shrinkToFit() {
        spilled.shrinkToFit();
    }

    void clear() {
        heap.clear();
        spilled.clear();
    }

    /** Visits the records held, oldest first (copies of the spilled ones). */
    void forEach(Consumer<LogRecord> visitor) {
        spilled.forEach(visitor);
        heap.forEach(visitor);
    }

    /** The offset of the record with sequence number {@code seq}, or -1 when it is not held. */
    long offsetOfSeq(long seq) {
        LogRecord r = heap.bySeq(seq);
        return r != null ? r.offset() : spilled.offsetOfSeq(seq);
    }

    /** The record with sequence number {@code seq} (a copy when spilled), or null when it is not held. */
    LogRecord bySeq(long seq) {
        LogRecord r = heap.bySeq(seq);
        return r != null ? r : spilled.bySeq(seq);
    }

    /** The record starting at {@code offset} (a copy when spilled), or null when it is not held. */
    LogRecord byOffset(long offset) {
        LogRecord first = heap.first();
        if (first != null && offset >= first.offset()) {
            return heap.byOffset(offset);
        }
        return spilled.byOffset(offset);
    }

    /** Bytes of direct memory held by the spilled tier. */
    long offHeapBytes() {
        return spilled.arenaBytes();
    }
}
