package dev.ferry.internal.engine;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.function.Consumer;

/**
 * The messages a channel tracks one by one ({@link Entry}: in flight, ready again, deferred), and
 * the lowest log offset it still needs for them (its low-water mark: the log below it may be
 * dropped).
 *
 * <p>Those still read from the topic's log are held in log order in an {@link EntryRing}: the
 * cursor reads the log forwards, so they arrive in offset order, and each is appended and later
 * cleared from its slot in O(1), with no hashing and no tree; the ring's head is the lowest offset
 * still needed. Those with a copy in a retry bucket (few: deferred and requeued with a delay) are
 * held by key in a primitive map.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class ChannelEntries {
    /** The tracked messages still read from the log, in offset order: the first holds the log's floor. */
    private final EntryRing inLog = new EntryRing(EntryRing.Kind.LOG_ORDER);

    /** The tracked messages held in a retry bucket, by key (the log offset they were copied from). */
    private final Long2ObjectOpenHashMap<Entry> inRetry = new Long2ObjectOpenHashMap<>();

    /** Starts tracking {@code e}: in log order when it is read from the log, else by key. */
    void track(Entry e) {
        if (e.inLog()) {
            inLog.add(e, e.key);
        } else {
            inRetry.put(e.key, e);
        }
    }

    /** Whether a message with key {@code key} is tracked. */
    boolean contains(long key) {
        return inRetry.containsKey(key) || inLog.find(key) != null;
    }

    /** Whether {@code e} itself (not an older entry of the same key) is tracked. */
    boolean isTracked(Entry e) {
        return e.inLog() ? inLog.holds(e) : inRetry.get(e.key) == e;
    }

    /** Stops tracking {@code e} (finished or dropped). */
    void forget(Entry e) {
        if (e.inLog()) {
            inLog.remove(e);
        } else {
            inRetry.remove(e.key);
        }
    }

    /** Notes that log-held {@code e} got a retry copy at {@code pos} of {@code bucket}: it leaves log order. */
    void movedToRetry(Entry e, long bucket, long pos) {
        inLog.remove(e);
        e.bucket = bucket;
        e.pos = pos;
        inRetry.put(e.key, e);
    }

    /** Stops tracking {@code e}, which has left the log already (its copy waits in a far bucket). */
    void untrack(Entry e) {
        inRetry.remove(e.key);
    }

    /** The lowest log offset a tracked message is read from, or Long.MAX_VALUE. */
    long lowestInLog() {
        return inLog.firstKey();
    }

    /** The tracked message read from the log at the lowest offset, if that is below {@code offset}; else null. */
    Entry firstInLogBelow(long offset) {
        return inLog.firstKey() < offset ? inLog.first() : null;
    }

    /** How many messages are tracked. */
    int size() {
        return inLog.size() + inRetry.size();
    }

    /** Calls {@code action} for every tracked message, in no particular order. */
    void forEach(Consumer<Entry> action) {
        inLog.forEach(action);
        for (Entry e : inRetry.values()) {
            action.accept(e);
        }
    }

    /** Gives back memory held since a peak of tracked messages (housekeeping). */
    void trim() {
        inLog.trim();
        inRetry.trim();
    }

    void clear() {
        inLog.clear();
        inRetry.clear();
    }
}
