package dev.ferry.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SyncPolicy;
import dev.ferry.spi.DiskUsage;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineTimings;
import dev.ferry.spi.PublishRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's monitoring hook: how long writes and sync rounds take, and its disk usage. */
class EngineTimingsTest {
    @TempDir
    Path dir;

    /** Keeps every timing it hears. */
    private static final class Recorder implements EngineTimings {
        final Queue<Long> writes = new ConcurrentLinkedQueue<>();
        final Queue<Long> syncs = new ConcurrentLinkedQueue<>();

        @Override
        public void written(long nanos) {
            writes.add(nanos);
        }

        @Override
        public void synced(long nanos) {
            syncs.add(nanos);
        }
    }

    private static List<PublishRecord> one(String body) {
        return List.of(PublishRecord.of(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldReportEachWriteAndTheSyncRoundThatMadeAPublishDurable() {
        EmbeddedEngineConfig config = EmbeddedEngineConfig.file(dir)
                .syncPolicy(SyncPolicy.ALWAYS)
                .syncInterval(Duration.ofMinutes(10))
                .minFreeDiskBytes(0)
                .build();
        try (LocalEngine engine = LocalEngine.open(config)) {
            Recorder recorder = new Recorder();
            Engine.Registration registration = engine.observe(recorder);

            engine.append("orders", one("a")).join();
            engine.append("orders", one("b")).join();

            assertThat(recorder.writes).hasSize(2).allSatisfy(n -> assertThat(n).isPositive());
            // a publish under ALWAYS completes only after its sync round, which reports first
            assertThat(recorder.syncs)
                    .isNotEmpty()
                    .allSatisfy(n -> assertThat(n).isPositive());

            registration.close();
            engine.append("orders", one("c")).join();
            assertThat(recorder.writes).hasSize(2);
        }
    }

    @Test
    void shouldTellTheBytesStoredAndTheDisksFreeSpace() {
        try (LocalEngine engine = LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build())) {
            engine.append("orders", one("hello")).join();

            DiskUsage usage = engine.diskUsage().orElseThrow();

            assertThat(usage.storedBytes()).isGreaterThanOrEqualTo(5);
            assertThat(usage.freeBytes())
                    .isPositive()
                    .isLessThanOrEqualTo(dir.toFile().getTotalSpace());
        }
    }

    @Test
    void shouldReportNeitherTimingsNorDiskForAMemoryEngine() {
        try (LocalEngine engine = LocalEngine.open(EmbeddedEngineConfig.memory().build())) {
            Recorder recorder = new Recorder();
            engine.observe(recorder);

            engine.append("orders", one("a")).join();

            assertThat(engine.diskUsage()).isEmpty();
            assertThat(recorder.writes).isEmpty(); // a write reports on the publishing thread, before append returns
        }
    }
}
