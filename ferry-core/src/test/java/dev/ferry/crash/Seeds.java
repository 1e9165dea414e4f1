package dev.ferry.crash;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Seeds of the randomised crash tests: fresh for every run unless {@code -Dferry.crash.seed=N}
 * replays one. Every seed is printed with the scenario it drives.
 */
final class Seeds {
    private Seeds() {}

    static long next(String scenario) {
        Long fixed = Long.getLong("ferry.crash.seed");
        long seed = fixed != null ? fixed : ThreadLocalRandom.current().nextLong();
        System.out.printf("%s: seed=%d (replay with -Dferry.crash.seed=%d)%n", scenario, seed, seed);
        return seed;
    }
}
