package dev.ferry.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One memory budget for the tail caches of every durable topic of an engine ({@link
 * dev.ferry.EmbeddedEngineConfig#tailCacheBytes()}). Each {@link TailCache} reports what it holds;
 * when an append takes the total over the budget, the policy trims the caches of the topics appended
 * to least recently first, oldest records first, and the appending topic's own cache last. A trimmed
 * record is read from its segment file the next time a channel wants it. What the policy trimmed is
 * counted in {@link #stats()}.
 *
 * <p>Threading: thread-safe and lock-free itself; a trim takes one cache's monitor at a time (never
 * two), so topics trimming each other cannot deadlock.
 */
final class TailCacheBudget {
    private final long maxBytes;
    private final List<TailCache> caches = new CopyOnWriteArrayList<>();
    private final AtomicLong usedBytes = new AtomicLong();
    private final AtomicLong appendClock = new AtomicLong();
    private final AtomicLong trimmedRecords = new AtomicLong();
    private final AtomicLong trimmedBytes = new AtomicLong();

    /** A budget of {@code maxBytes} (0: no record is kept in memory). */
    TailCacheBudget(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("a tail cache budget cannot be negative, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** A new cache for one topic's log, holding at most {@code maxRecords} and {@code maxBytes} itself. */
    TailCache newCache(String topic, int maxRecords, long maxBytes) {
        TailCache cache = new TailCache(this, topic, maxRecords, maxBytes);
        caches.add(cache);
        return cache;
    }

    /** Forgets a closed or deleted topic's cache (after it was cleared). */
    void remove(TailCache cache) {
        caches.remove(cache);
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Adds {@code delta} bytes (negative: freed) held by a cache. */
    void account(long delta) {
        if (delta != 0) {
            usedBytes.addAndGet(delta);
        }
    }

    /** A stamp that orders appends: a cache with a lower stamp was appended to less recently. */
    long tick() {
        return appendClock.incrementAndGet();
    }

    void countTrimmed(long records, long bytes) {
        trimmedRecords.addAndGet(records);
        trimmedBytes.addAndGet(bytes);
    }

    /**
     * Brings the total back under the budget after {@code appender} grew: the other caches first, least
     * recently appended first, then {@code appender} itself. The caller holds no cache's monitor.
     */
    void enforce(TailCache appender) {
        if (usedBytes.get() <= maxBytes) {
            return;
        }
        List<TailCache> byAge = new ArrayList<>(caches);
        byAge.sort((a, b) -> Long.compare(a.lastAppend(), b.lastAppend()));
        for (TailCache cache : byAge) {
            long excess = usedBytes.get() - maxBytes;
            if (excess <= 0) {
                return;
            }
            if (cache != appender) {
                cache.trim(excess);
            }
        }
        long excess = usedBytes.get() - maxBytes;
        if (excess > 0 && appender != null) {
            appender.trim(excess);
        }
    }

    /** What the budget holds and what its policy did so far. */
    TailCacheStats stats() {
        return new TailCacheStats(maxBytes, usedBytes.get(), caches.size(), trimmedRecords.get(), trimmedBytes.get());
    }
}
