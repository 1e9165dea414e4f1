package dev.ferry.internal.engine;

/**
 * The newest records of one durable topic's log, held in memory so that channels reading near the
 * tail never touch the segment files. Bounded twice: by its own limits (records and bytes, the oldest
 * fall out first) and by the engine-wide {@link TailCacheBudget}, which may trim it from another
 * topic's thread. The records held are always a contiguous run ending at the newest one appended
 * since the cache was last emptied; a record not held is read from the file. Only the newest few
 * records stay on the Java heap; the rest live outside it ({@link SpillingRecordRing}), so that young
 * collections do not copy them, and reads of those get copies.
 *
 * <p>Threading: the owning topic's lock serialises appends and reads, but every method also takes
 * this cache's monitor, because the budget trims it from whichever thread appends elsewhere.
 */
final class TailCache {
    /** What {@link #readAt} answers for an offset the cache does not cover. */
    static final LogRecord NOT_CACHED = new LogRecord(-1, -1, -1, 0, 0, 0, null, 0);

    private final TailCacheBudget budget;
    private final String topic;
    private final SpillingRecordRing ring;
    /** The bytes of {@link #ring} the budget has been told of. */
    private long accounted;

    private volatile long lastAppend;

    TailCache(TailCacheBudget budget, String topic, int maxRecords, long maxBytes) {
        this.budget = budget;
        this.topic = topic;
        this.ring = new SpillingRecordRing(maxRecords, maxBytes);
    }

    String topic() {
        return topic;
    }

    long lastAppend() {
        return lastAppend;
    }

    /** Adds a record found while recovering the log; the budget is enforced by the next append. */
    synchronized void addRecovered(LogRecord record) {
        ring.add(record);
        settle();
    }

    /** Drops the records recovered so far: recovery found damage after them (the cache has no holes). */
    synchronized void clearRecovered() {
        ring.clear();
        settle();
    }

    /**
     * Adds an appended record, the next in sequence; {@link #appended()} ends the batch. The cache
     * keeps {@code record} (and its body array) while it is among the newest. With a budget of 0
     * nothing is kept: the record counts as trimmed.
     */
    synchronized void add(LogRecord record) {
        if (budget.maxBytes() == 0) {
            budget.countTrimmed(1, record.size());
            return;
        }
        ring.add(record);
    }

    /** Ends a batch of {@link #add}s: reports the bytes to the budget and enforces it. */
    void appended() {
        synchronized (this) {
            settle();
            lastAppend = budget.tick();
        }
        budget.enforce(this);
    }

    /** Trims the oldest records until {@code bytes} are freed or the cache is empty; the policy's. */
    synchronized void trim(long bytes) {
        long freed = 0;
        long records = 0;
        while (freed < bytes && ring.size() > 0) {
            freed += ring.firstSize();
            ring.removeFirst();
            records++;
        }
        if (records > 0) {
            budget.countTrimmed(records, freed);
            ring.shrinkToFit();
            settle();
        }
    }

    /**
     * Copies up to {@code max} records from sequence number {@code seq} to {@code endSeq} (exclusive)
     * into {@code out} when the cache holds the record at {@code seq} starting at {@code offset}.
     *
     * @return whether the cache served the read
     */
    synchronized boolean read(long offset, long seq, long endSeq, int max, java.util.List<LogRecord> out) {
        if (ring.offsetOfSeq(seq) != offset) {
            return false;
        }
        for (long s = seq; s < endSeq && out.size() < max; s++) {
            out.add(ring.bySeq(s));
        }
        return true;
    }

    /**
     * The record at {@code offset} when the cache covers it (null when it covers the offset but no
     * record starts there), or {@link #NOT_CACHED}.
     */
    synchronized LogRecord readAt(long offset) {
        if (ring.size() == 0 || offset < ring.firstOffset()) {
            return NOT_CACHED;
        }
        return ring.byOffset(offset);
    }

    /** Drops records below {@code offset} (their segment is gone). */
    synchronized void removeBefore(long offset) {
        ring.removeBefore(offset);
        ring.shrinkToFit();
        settle();
    }

    /** Visits copies of the records held, oldest first. */
    synchronized void forEach(java.util.function.Consumer<LogRecord> visitor) {
        ring.forEach(visitor);
    }

    /** Drops everything and leaves the budget (the log is closed or deleted). */
    synchronized void release() {
        ring.clear();
        settle();
        budget.remove(this);
    }

    synchronized long bytes() {
        return ring.bytes();
    }

    synchronized int size() {
        return ring.size();
    }

    private void settle() {
        long now = ring.bytes();
        budget.account(now - accounted);
        accounted = now;
    }
}
