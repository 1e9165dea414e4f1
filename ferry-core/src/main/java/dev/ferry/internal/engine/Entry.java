package dev.ferry.internal.engine;

/**
 * A message a channel tracks individually: delivered and not finished, requeued, or deferred.
 * Messages still ahead of the cursor in the topic log, and those in unloaded retry buckets, have no
 * entry. Mutable; guarded by the topic lock.
 */
final class Entry {
    static final int READY = 0;
    static final int IN_FLIGHT = 1;
    static final int DEFERRED = 2;

    /** Where the message is stored: {@link #IN_LOG}, or a retry bucket. */
    static final long IN_LOG = -1;

    final long key;
    long id;
    long timestamp;
    int attempts;
    int state;
    long dueAt;
    long bucket = IN_LOG;
    long pos;
    byte[] body;

    /**
     * While in flight: the lease of the current delivery (its handle is this entry) and the consumer
     * that claimed it, or null for an anonymous claim.
     */
    dev.ferry.spi.Lease lease;

    LocalConsumer owner;

    /** The entry's time in the heap it is in (deadline or due time), and its index there. */
    long heapTime;

    int heapIndex = -1;

    /** The entry's slot in its channel's log-order {@link EntryRing}, or -1. */
    int logSlot = -1;

    /** The entry's slot in the in-flight {@link EntryRing} {@link #flightRing}, or -1. */
    int flightSlot = -1;

    /** The in-flight ring this entry is in, or null (not in flight, or in the in-flight heap). */
    EntryRing flightRing;

    Entry(long key) {
        this.key = key;
    }

    /** An entry for the copy {@code r} read from retry bucket {@code bucket}. */
    static Entry fromRetryCopy(LogRecord r, long bucket) {
        Entry e = new Entry(r.seq());
        e.id = r.id();
        e.timestamp = r.timestamp();
        e.attempts = r.attempts();
        e.dueAt = r.dueAt();
        e.bucket = bucket;
        e.pos = r.offset();
        return e;
    }

    boolean inLog() {
        return bucket == IN_LOG;
    }
}
