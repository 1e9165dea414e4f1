package dev.ferry.spi;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Bus;
import dev.ferry.DepthPolicy;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.PublishRejectedException;
import dev.ferry.SyncPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing engines by URI: the provider lookup, the URI's forms and its parameters, and the errors. */
class EnginesTest {
    @TempDir
    Path dir;

    private static List<PublishRecord> one(int bytes) {
        return List.of(PublishRecord.of(new byte[bytes]));
    }

    @Test
    void shouldFindTheEmbeddedProviderForFileAndMemory() {
        assertThat(Engines.schemes()).contains("file", "memory");
        assertThat(Engines.provider("file").getClass().getSimpleName()).isEqualTo("EmbeddedEngineProvider");
        assertThat(Engines.provider("MEMORY").schemes()).contains("memory");
    }

    @Test
    void shouldOpenAMemoryEngineThatKeepsNothingOnDisk() throws Exception {
        try (Engine engine = Engines.open("memory:", Clock.systemUTC())) {
            assertThat(engine.name()).isEqualTo("memory:");
            engine.append("t", one(3)).toCompletableFuture().get();
            assertThat(done(engine.stats("t"))).isPresent();
        }
    }

    @Test
    void shouldOpenAFileEngineInTheDirectoryOfARelativeOrAbsoluteUri() throws Exception {
        Path abs = dir.resolve("abs");
        for (String uri : List.of("file:" + abs, "file://" + abs, "file://localhost" + abs)) {
            try (Engine engine = Engines.open(uri, Clock.systemUTC())) {
                engine.append("t", one(3)).toCompletableFuture().get();
            }
            assertThat(Files.isDirectory(abs)).as(uri).isTrue();
        }
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("rel"));
        try (Engine engine = Engines.open("file:" + relative, Clock.systemUTC())) {
            assertThat(engine.name()).isEqualTo("file:" + relative);
        }
        assertThat(Files.isDirectory(dir.resolve("rel"))).isTrue();
    }

    @Test
    void shouldRefuseAnUnknownSchemeListingTheSchemesOnTheClassPath() {
        assertThatThrownBy(() -> Engines.open("nats://localhost:4222", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no engine for scheme 'nats:'")
                .hasMessageContaining("file:, memory:");
        assertThatThrownBy(() -> Bus.open("redis://localhost"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ferry-redis");
    }

    @Test
    void shouldRefuseAMalformedUriOrOneWithoutAScheme() {
        assertThatThrownBy(() -> Engines.open("file:./my data", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed engine URI 'file:./my data'");
        assertThatThrownBy(() -> Engines.open("./data", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no scheme");
        assertThatThrownBy(() -> Engines.open("file:", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no directory");
        assertThatThrownBy(() -> Engines.open("file://elsewhere/data", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names host 'elsewhere'");
        assertThatThrownBy(() -> Engines.open("memory:here", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memory: takes no location");
    }

    @Test
    void shouldReadTheEmbeddedEnginesSettingsFromTheParameters() {
        EmbeddedEngineConfig c = EmbeddedEngineConfig.parse("file:./data?sync=always&sync-interval=250ms"
                + "&segment-bytes=8MiB&retention-bytes=1GB&retention-age=168h&channel-max-depth=1000"
                + "&depth-policy=drop-oldest&max-data-bytes=10GiB&min-free-disk-bytes=0"
                + "&journal-snapshot-bytes=64KiB&mem-queue-size=50&max-message-bytes=2MiB");
        assertThat(c.dataDir()).contains(Path.of("./data"));
        assertThat(c.syncPolicy()).isEqualTo(SyncPolicy.ALWAYS);
        assertThat(c.syncInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.segmentBytes()).isEqualTo(8 << 20);
        assertThat(c.retentionBytes()).isEqualTo(1_000_000_000L);
        assertThat(c.retentionAge()).isEqualTo(Duration.ofDays(7));
        assertThat(c.channelMaxDepth()).isEqualTo(1000);
        assertThat(c.depthPolicy()).isEqualTo(DepthPolicy.DROP_OLDEST);
        assertThat(c.maxDataBytes()).isEqualTo(10L << 30);
        assertThat(c.minFreeDiskBytes()).isZero();
        assertThat(c.journalSnapshotBytes()).isEqualTo(64 << 10);
        assertThat(c.memQueueSize()).isEqualTo(50);
        assertThat(c.maxMessageBytes()).isEqualTo(2 << 20);
        assertThat(EmbeddedEngineConfig.parse(c.uri()).uri()).isEqualTo(c.uri());
        assertThat(EmbeddedEngineConfig.parse("file:./data").uri().toString()).isEqualTo("file:./data");
    }

    @Test
    void shouldApplyTheParametersToTheEngineItOpens() throws Exception {
        try (Engine engine = Engines.open("memory:?max-message-bytes=16", Clock.systemUTC())) {
            engine.append("t", one(16)).toCompletableFuture().get();
            assertThatThrownBy(() ->
                            engine.append("t", one(17)).toCompletableFuture().get())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(PublishRejectedException.class)
                    .hasMessageContaining("max-message-bytes (16)");
        }
        try (Engine engine = Engines.open("memory:?mem-queue-size=3", Clock.systemUTC());
                Engine.Registration r = engine.register("t", "tail#ephemeral", () -> {})) {
            for (int i = 0; i < 5; i++) {
                engine.append("t", one(1)).toCompletableFuture().get();
            }
            assertThat(done(engine.stats("t"))
                            .orElseThrow()
                            .channels()
                            .getFirst()
                            .depth())
                    .as("the ephemeral channel keeps mem-queue-size messages")
                    .isEqualTo(3);
        }
    }

    @Test
    void shouldRefuseAnUnknownParameterByName() {
        assertThatThrownBy(() -> Engines.open("file:" + dir + "?sync=always&colour=blue", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the engine file: takes no parameter 'colour'")
                .hasMessageContaining("segment-bytes");
        assertThatThrownBy(() -> Engines.open("memory:?sync=always", Clock.systemUTC()))
                .as("a memory: engine has nothing to sync")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the engine memory: takes no parameter 'sync'");
    }

    @Test
    void shouldRefuseAParameterValueItCannotRead() {
        assertThatThrownBy(() -> EmbeddedEngineConfig.parse("file:d?segment-bytes=lots"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segment-bytes=lots is not a size");
        assertThatThrownBy(() -> EmbeddedEngineConfig.parse("file:d?sync=sometimes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sync=sometimes is not one of: always, interval, never");
        assertThatThrownBy(() -> EmbeddedEngineConfig.parse("file:d?sync-interval=soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sync-interval=soon is not a duration");
        assertThatThrownBy(() -> EmbeddedEngineConfig.parse("file:d?segment-bytes=100"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segmentBytes must be at least 4096, got 100");
        assertThatThrownBy(() -> EngineUri.parse("file:d?sync=always&sync=never"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gives parameter 'sync' twice");
    }

    @Test
    void shouldMergeParametersAndRefuseTwoDifferentValuesForOne() {
        EngineUri uri = EngineUri.parse("file:./data?sync=always");
        assertThat(uri.with(Map.of("sync", "always", "segment-bytes", "8MiB")).parameters())
                .containsEntry("sync", "always")
                .containsEntry("segment-bytes", "8MiB");
        assertThatThrownBy(() -> uri.with(Map.of("sync", "never")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sync' is given twice with different values: 'always' and 'never'");
    }

    @Test
    void shouldOpenABusByUri() {
        try (Bus bus = Bus.open("file:" + EmbeddedEngineConfig.fileLocation(dir) + "?min-free-disk-bytes=0")) {
            bus.publish("t", "hello".getBytes(StandardCharsets.UTF_8));
            assertThat(bus.admin().topic("t").orElseThrow().depth()).isEqualTo(1);
        }
        try (Bus bus = Bus.builder()
                .engine(dir.toUri().toString() + "?min-free-disk-bytes=0")
                .open()) {
            assertThat(bus.admin().topic("t").orElseThrow().depth())
                    .as("file:///abs names the same directory, which kept the message")
                    .isEqualTo(1);
        }
    }
}
