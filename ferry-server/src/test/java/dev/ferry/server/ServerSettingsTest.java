package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What {@link ServerSettings} derives from the flags, apart from the parsing ({@link ServerFlagsTest}). */
class ServerSettingsTest {
    @Test
    void halfOfADurationIsWhatDividedByTwoGives() {
        List<Duration> durations = new ArrayList<>(List.of(
                Duration.ofMillis(2),
                Duration.ofMillis(3),
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                Duration.ofSeconds(61, 1),
                Duration.ofNanos(2_000_001),
                Duration.ofSeconds(Long.MAX_VALUE / 2, 999_999_999),
                Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)));
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 1_000; i++) {
            durations.add(Duration.ofSeconds(random.nextLong(0, 1L << 40), random.nextInt(1_000_000_000)));
        }
        for (Duration d : durations) {
            assertThat(ServerSettings.half(d))
                    .as("half of %s (seed %d)", d, seed)
                    .isEqualTo(d.dividedBy(2));
        }
    }
}
