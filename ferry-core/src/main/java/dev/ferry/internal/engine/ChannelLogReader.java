package dev.ferry.internal.engine;

import java.io.IOException;
import java.util.List;

/**
 * Reads a channel's share of its topic's log from the {@link ChannelCursor} on and moves the cursor:
 * past each message taken (counting it as entered), over stretches lost to damage (counted as
 * dropped), past messages whose retry copy is already made (a lost journal tail), and up to the
 * log's start when old segments were dropped. A deferred publish it passes is copied out through
 * {@link RetryCopies}. Moves reach the channel's journal when the caller asks ({@link #journal}).
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class ChannelLogReader {
    private final TopicState topic;
    private final ChannelJournal journal;
    private final ChannelCounters counters;
    private final RetryCopies copies;
    private final ChannelCursor cursor = new ChannelCursor();

    ChannelLogReader(TopicState topic, ChannelJournal journal, ChannelCounters counters, RetryCopies copies) {
        this.topic = topic;
        this.journal = journal;
        this.counters = counters;
        this.copies = copies;
    }

    long offset() {
        return cursor.offset();
    }

    long seq() {
        return cursor.seq();
    }

    /** Puts the cursor at {@code offset} / {@code seq} (a new channel, or recovery). */
    void moveTo(long offset, long seq) {
        cursor.moveTo(offset, seq);
    }

    /** Notes that the message at log key {@code key}, ahead of the cursor, has a retry copy (recovery). */
    void copiedAhead(long key) {
        cursor.copiedAhead(key);
    }

    /** Up to {@code max} records from the cursor on (the cursor does not move). */
    List<LogRecord> read(int max) throws IOException {
        return topic.readFor(cursor, max);
    }

    /** Messages ahead of the cursor, up to a paused topic's hold. */
    long unread() {
        return topic.unread(cursor.seq());
    }

    /**
     * Moves the cursor past {@code r}. Returns true when {@code r} is a message to deliver now;
     * a deferred one is copied into the retry store instead, and a damaged stretch, or a message
     * whose retry copy survived a lost journal tail, is skipped.
     */
    boolean advancePast(LogRecord r, long now) throws IOException {
        if (r.body() == null) {
            // lost to damage: they had entered the channel (message_count) and are dropped
            counters.messages += Math.max(0, r.seq() - cursor.seq());
            counters.drops += Math.max(0, r.seq() - cursor.seq());
            cursor.moveTo(r.nextOffset(), r.seq());
            return false;
        }
        cursor.moveTo(r.nextOffset(), r.seq() + 1);
        if (cursor.takeCopiedAhead(r.offset())) {
            return false;
        }
        counters.messages++;
        if (r.dueAt() > now) {
            copies.deferFromLog(r, now);
            return false;
        }
        return true;
    }

    /** Journals where the cursor is. */
    void journal() {
        journal.cursor(cursor.offset(), cursor.seq());
    }

    /** Moves the cursor up to the log's start after old segments were dropped; counts the loss. */
    void clampToLogStart() {
        TopicLog topicLog = topic.log();
        if (cursor.offset() < topicLog.startOffset()) {
            counters.messages += Math.max(0, topicLog.startSeq() - cursor.seq());
            counters.drops += Math.max(0, topicLog.startSeq() - cursor.seq());
            cursor.moveTo(topicLog.startOffset(), topicLog.startSeq());
            journal();
        }
    }

    /**
     * Jumps to the read end (the channel is emptied); what it jumps over had entered the channel,
     * as nsqd counts it in message_count. A paused topic's held messages are not the channel's to
     * jump over.
     */
    void skipToEnd() {
        counters.messages += unread();
        cursor.clearCopiedAhead();
        cursor.moveTo(topic.readEndOffset(), topic.readEndSeq());
    }
}
