package dev.ferry.internal.engine;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2LongRBTreeMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongBidirectionalIterator;
import it.unimi.dsi.fastutil.longs.LongRBTreeSet;
import java.io.IOException;
import java.util.List;

/**
 * Which of a channel's retry buckets (messages copied out of the log, grouped by due time in
 * {@link #BUCKET_MILLIS}-wide buckets) are tracked one message at a time in memory ("loaded"), which
 * are left on disk because they fall due far ahead ("far", with how many messages each holds), and
 * how many tracked messages each loaded bucket still holds, so that empty buckets can be deleted.
 * The copies themselves are in the channel's {@link RetryStore}, the messages in {@link
 * ChannelEntries}; {@link RetryCopies} makes the copies and loads them back.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class RetryBuckets {
    /** Width of a retry bucket in ms. */
    static final long BUCKET_MILLIS = 10_000;

    /** Buckets this many widths ahead of now are loaded into memory. */
    static final long HORIZON_BUCKETS = 2;

    private final LongRBTreeSet loaded = new LongRBTreeSet();
    private final Long2LongRBTreeMap far = new Long2LongRBTreeMap();
    private final Long2IntOpenHashMap live = new Long2IntOpenHashMap();

    static long bucketOf(long dueAt) {
        return Math.floorDiv(dueAt, BUCKET_MILLIS);
    }

    /** Whether {@code bucket} is far enough ahead of {@code now} to stay on disk, and not loaded. */
    boolean isFar(long bucket, long now) {
        return bucket > bucketOf(now) + HORIZON_BUCKETS && !loaded.contains(bucket);
    }

    boolean isLoaded(long bucket) {
        return loaded.contains(bucket);
    }

    /** Marks {@code bucket} tracked in memory. */
    void markLoaded(long bucket) {
        loaded.add(bucket);
    }

    /** Marks every bucket of {@code buckets} loaded (recovery). */
    void markLoaded(Iterable<Long> buckets) {
        for (long b : buckets) {
            loaded.add(b);
        }
    }

    /** Stops counting {@code bucket} as far; whether it was. */
    boolean removeFar(long bucket) {
        if (!far.containsKey(bucket)) {
            return false;
        }
        far.remove(bucket);
        return true;
    }

    /** Sets far bucket {@code bucket} to hold {@code count} messages (recovery). */
    void putFar(long bucket, long count) {
        far.put(bucket, count);
    }

    /** Counts {@code count} more messages in far bucket {@code bucket}. */
    void addFar(long bucket, long count) {
        far.addTo(bucket, count);
    }

    /** Whether a far bucket comes within the horizon at {@code now} and must be loaded. */
    boolean hasFarDueBy(long now) {
        return !far.isEmpty() && far.firstLongKey() <= bucketOf(now) + HORIZON_BUCKETS;
    }

    /** Removes and returns the earliest far bucket; only after {@link #hasFarDueBy} said so. */
    long pollFirstFar() {
        long bucket = far.firstLongKey();
        far.remove(bucket);
        return bucket;
    }

    /** When the earliest far bucket must be loaded (ms), or Long.MAX_VALUE. */
    long nextLoadAt() {
        return far.isEmpty() ? Long.MAX_VALUE : (far.firstLongKey() - HORIZON_BUCKETS) * BUCKET_MILLIS;
    }

    /** Messages in far buckets. */
    long farCount() {
        long n = 0;
        for (long c : far.values()) {
            n += c;
        }
        return n;
    }

    /** Counts one more ({@code delta} 1) or one fewer (-1) tracked message in {@code bucket}. */
    void live(long bucket, int delta) {
        live.addTo(bucket, delta);
    }

    /** Deletes the loaded buckets before {@code current} that hold no tracked message any more. */
    void deleteEmptyBefore(long current, RetryStore retry) throws IOException {
        LongBidirectionalIterator it = loaded.iterator();
        while (it.hasNext()) {
            long b = it.nextLong();
            if (b >= current) {
                break;
            }
            if (live.getOrDefault(b, 0) <= 0) {
                retry.delete(b);
                live.remove(b);
                it.remove();
            }
        }
    }

    /** The loaded buckets, in order (for a snapshot). */
    List<Long> loadedList() {
        return new LongArrayList(loaded);
    }

    void clear() {
        loaded.clear();
        far.clear();
        live.clear();
    }
}
