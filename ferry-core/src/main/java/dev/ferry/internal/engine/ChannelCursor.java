package dev.ferry.internal.engine;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;

/**
 * Where a channel reads its topic's log next: the offset and sequence number of the first record it
 * has not taken yet, plus the log keys ahead of it whose message already has a retry copy (a journal
 * tail lost in a crash after the copy was written), which reading must skip.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class ChannelCursor {
    private long offset;
    private long seq;
    private final LongOpenHashSet copiedAhead = new LongOpenHashSet();

    long offset() {
        return offset;
    }

    long seq() {
        return seq;
    }

    void moveTo(long offset, long seq) {
        this.offset = offset;
        this.seq = seq;
    }

    /** Notes that the message at log key {@code key}, ahead of the cursor, has a retry copy. */
    void copiedAhead(long key) {
        copiedAhead.add(key);
    }

    /** Whether the record at {@code key} was copied ahead (and forgets it: it is read once). */
    boolean takeCopiedAhead(long key) {
        return !copiedAhead.isEmpty() && copiedAhead.remove(key);
    }

    void clearCopiedAhead() {
        copiedAhead.clear();
    }
}
