package dev.ferry.internal.engine;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectRBTreeMap;
import java.util.function.Consumer;

/**
 * The messages a channel tracks one by one ({@link Entry}: in flight, ready again, deferred), found
 * by key, and those of them still read from the topic's log in log order, so that the channel knows
 * the lowest log offset it still needs (its low-water mark: the log below it may be dropped).
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class ChannelEntries {
    /** The in-memory entries a channel is sized for before its map grows. */
    private static final int EXPECTED_ENTRIES = 256;

    /** Every message tracked one by one, by key (its log offset, or its key in the retry store). */
    /*
     * Sized for a few hundred entries from the start: fastutil's open maps shrink when they empty
     * and grow again, so a channel whose claims and acks come in batches would rehash on every batch
     * (seen as 18% of appendClaimAck's throughput); they never shrink below the expected size.
     */
    private final Long2ObjectOpenHashMap<Entry> byKey = new Long2ObjectOpenHashMap<>(EXPECTED_ENTRIES);

    /** The tracked messages still read from the log, by offset: the lowest holds the log's floor. */
    private final Long2ObjectRBTreeMap<Entry> inLog = new Long2ObjectRBTreeMap<>();

    /** Starts tracking {@code e}, in log order too when it is read from the log. */
    void track(Entry e) {
        byKey.put(e.key, e);
        if (e.inLog()) {
            inLog.put(e.key, e);
        }
    }

    /** Whether a message with key {@code key} is tracked. */
    boolean contains(long key) {
        return byKey.containsKey(key);
    }

    /** Whether {@code e} itself (not an older entry of the same key) is tracked. */
    boolean isTracked(Entry e) {
        return byKey.get(e.key) == e;
    }

    /** Stops tracking {@code e} (finished or dropped). */
    void forget(Entry e) {
        byKey.remove(e.key);
        if (e.inLog()) {
            inLog.remove(e.key);
        }
    }

    /** Notes that log-held {@code e} got a retry copy at {@code pos} of {@code bucket}: it leaves log order. */
    void movedToRetry(Entry e, long bucket, long pos) {
        inLog.remove(e.key);
        e.bucket = bucket;
        e.pos = pos;
    }

    /** Stops tracking {@code e}, which has left the log already (its copy waits in a far bucket). */
    void untrack(Entry e) {
        byKey.remove(e.key);
    }

    /** The lowest log offset a tracked message is read from, or Long.MAX_VALUE. */
    long lowestInLog() {
        return inLog.isEmpty() ? Long.MAX_VALUE : inLog.firstLongKey();
    }

    /** The tracked message read from the log at the lowest offset, if that is below {@code offset}; else null. */
    Entry firstInLogBelow(long offset) {
        if (inLog.isEmpty() || inLog.firstLongKey() >= offset) {
            return null;
        }
        return inLog.get(inLog.firstLongKey());
    }

    /** How many messages are tracked. */
    int size() {
        return byKey.size();
    }

    /** Calls {@code action} for every tracked message, in no particular order. */
    void forEach(Consumer<Entry> action) {
        for (Entry e : byKey.values()) {
            action.accept(e);
        }
    }

    void clear() {
        byKey.clear();
        inLog.clear();
    }
}
