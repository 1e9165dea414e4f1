package dev.ferry.internal.engine;

/**
 * One stored message as read back from a topic log or a retry bucket.
 *
 * @param offset where the record starts in its log (the channel's key for the message)
 * @param seq the message's sequence number in its topic (0, 1, 2, ...)
 * @param id the message id
 * @param timestamp publish time, ns since the epoch
 * @param dueAt when it becomes deliverable, ms since the epoch (0: at once)
 * @param attempts deliveries so far (kept in retry buckets; 0 in topic logs)
 * @param body the body
 * @param size the record's size in its file, header included
 */
record LogRecord(long offset, long seq, long id, long timestamp, long dueAt, int attempts, byte[] body, int size) {

    /** The offset of the record after this one. */
    long nextOffset() {
        return offset + size;
    }
}
