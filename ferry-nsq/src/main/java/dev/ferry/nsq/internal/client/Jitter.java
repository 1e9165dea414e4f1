package dev.ferry.nsq.internal.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Random spread of retry and poll delays, so that many clients do not act in step. */
final class Jitter {
    private Jitter() {}

    /** A delay between half of {@code delay} and all of it, in milliseconds (at least 1). */
    static long of(Duration delay) {
        long millis = Math.max(1, delay.toMillis());
        return millis / 2 + ThreadLocalRandom.current().nextLong(millis - millis / 2 + 1);
    }

    /** {@code interval} plus a random part of up to {@code fraction} of it, in milliseconds. */
    static long above(Duration interval, double fraction) {
        long millis = Math.max(1, interval.toMillis());
        long spread = (long) (millis * fraction);
        return millis + (spread > 0 ? ThreadLocalRandom.current().nextLong(spread + 1) : 0);
    }
}
