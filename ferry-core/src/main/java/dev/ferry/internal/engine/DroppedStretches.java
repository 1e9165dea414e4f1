package dev.ferry.internal.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Stretches of a topic's log that emptying the topic dropped while it was paused and had channels:
 * those messages were still the topic's (nsqd keeps them in the topic's queue until the pause ends),
 * yet a channel's cursor may lie before them, on messages that are the channel's own. A channel
 * reading the log jumps over each stretch and never counts it in its depth.
 *
 * <p>A stretch is forgotten once the log no longer holds it (no cursor can lie before the log's
 * start). The stretches are kept in the topic's {@code hold} file, after the hold itself.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class DroppedStretches {
    /** One dropped stretch: the records from {@code fromOffset} (seq {@code fromSeq}) up to {@code toOffset}. */
    record Stretch(long fromOffset, long fromSeq, long toOffset, long toSeq) {}

    /** Bytes one stretch takes in the {@code hold} file. */
    static final int BYTES = 32;

    private final List<Stretch> stretches = new ArrayList<>();

    boolean isEmpty() {
        return stretches.isEmpty();
    }

    /** Notes a dropped stretch; stretches are added in log order. */
    void add(long fromOffset, long fromSeq, long toOffset, long toSeq) {
        if (toOffset > fromOffset) {
            stretches.add(new Stretch(fromOffset, fromSeq, toOffset, toSeq));
        }
    }

    /** Moves {@code cursor} past the stretches it stands at (or in); true when it moved. */
    boolean skip(ChannelCursor cursor) {
        boolean moved = false;
        for (Stretch s : stretches) {
            if (cursor.offset() >= s.fromOffset && cursor.offset() < s.toOffset) {
                cursor.moveTo(s.toOffset, s.toSeq);
                moved = true;
            }
        }
        return moved;
    }

    /** Where reading from {@code offset} must stop: the next stretch's start, or {@code limit}. */
    long nextStart(long offset, long limit) {
        for (Stretch s : stretches) {
            if (s.fromOffset >= offset) {
                return Math.min(s.fromOffset, limit);
            }
        }
        return limit;
    }

    /** How many messages the stretches hold from {@code seq} on, below {@code endSeq}. */
    long countFrom(long seq, long endSeq) {
        long n = 0;
        for (Stretch s : stretches) {
            n += Math.max(0, Math.min(s.toSeq, endSeq) - Math.max(s.fromSeq, seq));
        }
        return n;
    }

    /** Deferred publishes the stretches hold from {@code seq} on that are still pending at {@code now}. */
    long deferredFrom(DeferredIndex deferred, long seq, long now) {
        long n = 0;
        for (Stretch s : stretches) {
            if (s.toSeq > seq) {
                n += deferred.countPending(Math.max(s.fromSeq, seq), s.toSeq, now);
            }
        }
        return n;
    }

    /** Forgets the stretches that end at or before {@code logStart}; true when one was forgotten. */
    boolean trimBefore(long logStart) {
        return stretches.removeIf(s -> s.toOffset <= logStart);
    }

    /** Writes every stretch to {@code out} (which has room for {@link #bytes()}). */
    void writeTo(ByteBuffer out) {
        for (Stretch s : stretches) {
            out.putLong(s.fromOffset).putLong(s.fromSeq).putLong(s.toOffset).putLong(s.toSeq);
        }
    }

    int bytes() {
        return stretches.size() * BYTES;
    }

    /** Reads the stretches {@link #writeTo} wrote; a torn last one is ignored. */
    void readFrom(ByteBuffer in) {
        while (in.remaining() >= BYTES) {
            add(in.getLong(), in.getLong(), in.getLong(), in.getLong());
        }
    }
}
