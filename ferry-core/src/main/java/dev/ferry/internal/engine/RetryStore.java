package dev.ferry.internal.engine;

import java.io.IOException;
import java.util.List;
import java.util.SortedSet;

/**
 * A channel's small store of messages copied out of the topic log: requeued, deferred and
 * long-held ones, in buckets by due time, so that they never pin old log segments. A record's
 * {@code seq} field carries the channel key of the message. Called under the topic lock, except
 * {@link #sync(boolean)}.
 */
interface RetryStore extends Syncable, AutoCloseable {

    /**
     * Appends a copy of a message to {@code bucket}.
     *
     * @return the position of the copy within the bucket
     */
    long append(long bucket, long key, long id, long timestamp, long dueAt, int attempts, byte[] body)
            throws IOException;

    /** Reads the copy at {@code pos} of {@code bucket}, or null when it is gone. */
    LogRecord read(long bucket, long pos) throws IOException;

    /** Reads every intact copy in {@code bucket} (a record's offset is its position). */
    List<LogRecord> readAll(long bucket) throws IOException;

    /** Deletes a bucket. */
    void delete(long bucket) throws IOException;

    /** The buckets that exist. */
    SortedSet<Long> buckets() throws IOException;

    @Override
    void close();
}
