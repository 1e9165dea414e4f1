package dev.ferry.nsq.internal.http;

import dev.ferry.nsq.internal.server.AuthClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The auth service's answers the HTTP API has heard, so a client that sends its secret with every
 * request is not asked about at each one: an answer is reused until its TTL runs out, as nsqd
 * re-queries only then.
 *
 * <p>Bounded: it holds at most {@link #maxEntries()} answers. Policy: when one more is added, the
 * least recently used answer is evicted (its next request asks the auth service again) and
 * {@link #evictions()} counts it. An expired answer is dropped when it is looked up; that is not an
 * eviction.
 *
 * <p>Thread-safe: looked up on the connections' event loops and filled from the auth client's
 * threads, under one lock held only for a map operation; never blocks otherwise.
 */
final class AuthAnswerCache {
    /** How many answers the broker keeps by default: far more than the clients of one broker. */
    static final int DEFAULT_MAX_ENTRIES = 10_000;

    /** What an answer was asked with: the service may answer each differently. */
    record Key(String secret, String remoteIp, boolean tls, String commonName) {}

    private final int maxEntries;
    private final Map<Key, AuthClient.State> answers;
    private long evictions;

    /**
     * A cache of at most {@code maxEntries} answers.
     *
     * @throws IllegalArgumentException when {@code maxEntries} is below 1
     */
    AuthAnswerCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException(
                    "the auth answer cache needs room for 1 answer at least, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        // access order: iteration starts at the least recently used answer
        this.answers = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, AuthClient.State> eldest) {
                if (size() > AuthAnswerCache.this.maxEntries) {
                    evictions++;
                    return true;
                }
                return false;
            }
        };
    }

    /** The answer for {@code key} that has not expired at {@code now} (ms), or null. */
    synchronized AuthClient.State get(Key key, long now) {
        AuthClient.State state = answers.get(key);
        if (state != null && state.expired(now)) {
            answers.remove(key);
            return null;
        }
        return state;
    }

    /** Keeps {@code state} as the answer for {@code key}, evicting the least recently used if full. */
    synchronized void put(Key key, AuthClient.State state) {
        answers.put(key, state);
    }

    /** How many answers are held. */
    synchronized int size() {
        return answers.size();
    }

    /** The most answers held at once. */
    int maxEntries() {
        return maxEntries;
    }

    /** How many answers were evicted to make room since the cache was made. */
    synchronized long evictions() {
        return evictions;
    }
}
