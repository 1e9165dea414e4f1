package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.BusPatternsContract;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The patterns over the embedded bus, plus what only an embedded bus can be configured for. */
class EmbeddedBusPatternsTest extends BusPatternsContract {
    @TempDir
    Path dir;

    @Override
    protected Bus openBus(MutableClock clock) {
        return Bus.builder()
                .engine(EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build())
                .config(BusConfig.builder().clock(clock).build())
                .open();
    }

    @Test
    void shouldFailAQueryAtOnceBeyondMaxPendingQueries() {
        try (Bus small = Bus.builder()
                .engine("memory:")
                .config(BusConfig.builder().maxPendingQueries(2).build())
                .open()) {
            small.admin().createChannel("void", "c");
            small.queryAsync("void", "{}", Duration.ofSeconds(30));
            small.queryAsync("void", "{}", Duration.ofSeconds(30));
            assertThat(small.queryAsync("void", "{}", Duration.ofSeconds(30)))
                    .failsWithin(Duration.ZERO)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(FerryException.class)
                    .withMessageContaining("maxPendingQueries 2");
            assertThat(small.queryStats().failed()).isEqualTo(1);
            assertThat(small.queryStats().inFlight()).isEqualTo(2);
        }
    }
}
