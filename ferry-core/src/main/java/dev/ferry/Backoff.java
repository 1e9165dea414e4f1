package dev.ferry;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential requeue delay: {@code initial * 2^(attempts-1)}, capped at {@code max}.
 *
 * @param initial the delay after the first failed attempt
 * @param max the longest delay
 */
public record Backoff(Duration initial, Duration max) {
    /** The default: from 1 s, doubling, at most 60 s. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    /** Validates the durations. */
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "backoff needs 0 <= initial <= max, got initial=" + initial + " max=" + max);
        }
    }

    /** The delay before redelivering a message whose delivery number {@code attempts} failed. */
    public Duration delayFor(int attempts) {
        int shift = Math.min(Math.max(attempts - 1, 0), 30);
        long millis = initial.toMillis();
        long scaled = millis << shift;
        if (scaled < 0 || (shift > 0 && scaled >>> shift != millis)) {
            return max;
        }
        return Duration.ofMillis(Math.min(scaled, max.toMillis()));
    }
}
