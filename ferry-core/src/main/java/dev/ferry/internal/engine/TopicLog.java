package dev.ferry.internal.engine;

import java.io.IOException;
import java.util.List;

/**
 * A topic's append-only sequence of messages, addressed by offset (where a record starts) and by
 * sequence number. Not thread-safe: the owning {@link TopicState} guards it with its lock, except
 * {@link #force()}, which the sync thread may call at any time.
 */
interface TopicLog extends Syncable, AutoCloseable {

    /** Forces written records when {@code force} is set (logs have no buffer of their own). */
    @Override
    default void sync(boolean force) throws IOException {
        if (force) {
            force();
        }
    }

    /**
     * Appends records, writing them to the file before returning. On failure nothing of the batch
     * remains in the log.
     *
     * @param ids one id per body
     * @param dueAts one due time (ms, 0 for none) per body
     */
    void append(long[] ids, long timestamp, long[] dueAts, List<byte[]> bodies) throws IOException;

    /**
     * Reads up to {@code max} records starting at {@code offset} (a record boundary, whose sequence
     * number is {@code seq}). A corrupt stretch found on the way comes back as one record with a
     * null body whose size skips it and whose seq is the next valid sequence number.
     */
    List<LogRecord> read(long offset, long seq, int max) throws IOException;

    /** Reads the record at {@code offset}, or null when it is no longer in the log. */
    LogRecord readAt(long offset) throws IOException;

    /** Offset of the first retained record. */
    long startOffset();

    /** Sequence number of the first retained record. */
    long startSeq();

    /** Offset just past the last record. */
    long endOffset();

    /** Sequence number the next record will get. */
    long endSeq();

    /** The start offset of the storage unit (segment) holding {@code offset}. */
    long segmentBaseOf(long offset);

    /**
     * Frees whole segments that end at or before {@code offset}; never the one being written.
     *
     * @return whether anything was freed
     */
    boolean freeBefore(long offset) throws IOException;

    /**
     * The end offset of the oldest segment when retention ({@code maxBytes}, records older than
     * {@code maxAgeMillis} at {@code nowMillis}) says it should go, else -1. Zero limits are off.
     */
    long retentionCut(long maxBytes, long maxAgeMillis, long nowMillis);

    /** Visits the records held in memory, oldest first. */
    void forEachCached(java.util.function.Consumer<LogRecord> visitor);

    /** The id of the newest record still known, or 0. */
    long lastId();

    /** Bytes the log occupies. */
    long sizeBytes();

    /** Forces written records to the disk; callable from the sync thread. */
    void force() throws IOException;

    /** Closes files; the log's data stays. */
    @Override
    void close();

    /** Closes and deletes everything the log stored. */
    void delete() throws IOException;

    /** What recovery and reads found damaged in the log's files (nothing, for a log in memory). */
    default dev.ferry.RecoveryStats recovery() {
        return dev.ferry.RecoveryStats.NONE;
    }
}
