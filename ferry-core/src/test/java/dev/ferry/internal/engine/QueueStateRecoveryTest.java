package dev.ferry.internal.engine;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.StorageException;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the embedded engine keeps of busmq queues across a close and reopen. */
class QueueStateRecoveryTest {
    private static final Duration TTL = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();

    private LocalEngine open() {
        return LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(), clock);
    }

    @Test
    void shouldKeepTtlAndMetadataButNotAttachments() {
        try (LocalEngine engine = open()) {
            engine.queueState().attach("q", "a", TTL, Duration.ZERO);
            engine.queueState().setMetadata("q", "owner", "alice");
            done(engine.createChannel("q", "queue"));
            engine.append("q", List.of(PublishRecord.of("kept".getBytes(StandardCharsets.UTF_8))))
                    .join();
        }
        try (LocalEngine engine = open()) {
            var state = engine.queueState().state("q").orElseThrow();
            assertThat(state.ttl()).isEqualTo(TTL);
            assertThat(state.metadata()).isEqualTo(Map.of("owner", "alice"));
            assertThat(state.attachments()).isZero();
            assertThat(done(engine.stats("q"))
                            .orElseThrow()
                            .channels()
                            .getFirst()
                            .depth())
                    .isEqualTo(1);
            // detached since recovery: expires one ttl after it
            clock.advance(TTL);
            assertThat(engine.queueState().state("q")).isEmpty();
            assertThat(done(engine.stats("q"))).isEmpty();
        }
        try (LocalEngine engine = open()) {
            assertThat(engine.queueState().state("q")).isEmpty();
        }
    }

    @Test
    void shouldForgetADestroyedQueue() {
        try (LocalEngine engine = open()) {
            engine.queueState().attach("q", "a", TTL, Duration.ZERO);
            engine.queueState().destroy("q");
        }
        try (LocalEngine engine = open()) {
            assertThat(engine.queueState().state("q")).isEmpty();
        }
    }

    @Test
    void shouldOpenADataDirectoryFromBeforeQueues() throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createTopic("t"));
        }
        assertThat(dir.resolve(LocalQueueStates.DIR)).doesNotExist();
        try (LocalEngine engine = open()) {
            assertThat(done(engine.stats("t"))).isPresent();
            assertThat(engine.queueState().state("t")).isEmpty();
        }
    }

    @Test
    void shouldRefuseAQueueStateFileOfAnotherFormat() throws IOException {
        open().close();
        Files.createDirectories(dir.resolve(LocalQueueStates.DIR));
        Files.writeString(dir.resolve(LocalQueueStates.DIR).resolve("q-q.json"), "{\"format\":2}");
        assertThatThrownBy(this::open)
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("q-q.json")
                .hasMessageContaining("format 2");
    }

    @Test
    void shouldKeepNoFileForEphemeralQueues() {
        try (LocalEngine engine = open()) {
            engine.queueState().attach("q#ephemeral", "a", TTL, Duration.ZERO);
            engine.queueState().setMetadata("q#ephemeral", "k", "v");
        }
        try (LocalEngine engine = open()) {
            assertThat(engine.queueState().state("q#ephemeral")).isEmpty();
        }
    }
}
