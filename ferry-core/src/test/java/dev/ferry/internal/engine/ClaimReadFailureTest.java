package dev.ferry.internal.engine;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A claim that fails to read a message's body loses nothing: the message stays ready for the next claim. */
class ClaimReadFailureTest {
    private static final Duration LEASE = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();

    @Test
    void shouldKeepAReadyMessageWhoseBodyCouldNotBeReadForTheNextClaim() {
        FaultyFileIo io = new FaultyFileIo();
        try (LocalEngine engine = new LocalEngine(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(), clock, io)) {
            done(engine.createChannel("t", "c"));
            // a deferred publish is copied into a retry bucket, and read from there when it is due
            EngineTestSupport.store(
                    engine, "t", List.of(new PublishRecord("later".getBytes(StandardCharsets.UTF_8), 1_000)));
            assertThat(done(engine.claim("t", "c", 10, LEASE))).isEmpty();
            clock.advance(Duration.ofSeconds(2));

            io.failingReads = true;
            assertThatThrownBy(() -> done(engine.claim("t", "c", 10, LEASE)))
                    .hasMessageContaining("reading messages failed")
                    .hasMessageContaining("Input/output error");
            io.failingReads = false;

            assertThat(done(engine.claim("t", "c", 10, LEASE)))
                    .extracting(EngineTestSupport::text)
                    .containsExactly("later");
        }
    }
}
