package dev.ferry.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SyncPolicy;
import dev.ferry.spi.PublishRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When log segments are forced to disk under each sync policy. */
class SyncPolicyTest {
    @TempDir
    Path dir;

    /** Counts forces of segment files; each force takes 2 ms, as a real disk's fsync does. */
    private static final class CountingIo implements FileIo {
        final AtomicInteger forces = new AtomicInteger();

        @Override
        public FileChannel open(Path path, OpenOption... options) throws IOException {
            FileChannel real = FileChannel.open(path, options);
            if (!path.toString().endsWith(SegmentedLog.SUFFIX)) {
                return real;
            }
            return new DelegatingFileChannel(real) {
                @Override
                protected void force(FileChannel file, boolean metaData) throws IOException {
                    LockSupport.parkNanos(2_000_000); // simulated device latency, not synchronisation
                    file.force(metaData);
                    forces.incrementAndGet();
                }
            };
        }
    }

    private LocalEngine open(CountingIo io, SyncPolicy policy) {
        return new LocalEngine(
                EmbeddedEngineConfig.file(dir)
                        .syncPolicy(policy)
                        .syncInterval(Duration.ofMillis(100))
                        .minFreeDiskBytes(0)
                        .build(),
                java.time.Clock.systemUTC(),
                io);
    }

    @Test
    void shouldForceBeforeAcknowledgingAndShareOneForceBetweenConcurrentPublishers() {
        CountingIo io = new CountingIo();
        int threads = 4;
        int perThread = 100;
        try (LocalEngine engine = open(io, SyncPolicy.ALWAYS)) {
            List<CompletableFuture<Void>> publishers = new ArrayList<>();
            AtomicInteger unforced = new AtomicInteger();
            for (int t = 0; t < threads; t++) {
                publishers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int before = io.forces.get();
                        engine.append("t", List.of(PublishRecord.of(new byte[] {1})))
                                .join();
                        if (io.forces.get() == before) {
                            unforced.incrementAndGet();
                        }
                    }
                }));
            }
            CompletableFuture.allOf(publishers.toArray(CompletableFuture[]::new))
                    .join();
            assertThat(unforced.get())
                    .as("publishes acknowledged without a force")
                    .isZero();
            assertThat(io.forces.get()).isLessThan(threads * perThread * 3 / 4);
        }
    }

    @Test
    void shouldForceEveryIntervalUnderTheIntervalPolicy() {
        CountingIo io = new CountingIo();
        try (LocalEngine engine = open(io, SyncPolicy.INTERVAL)) {
            engine.append("t", List.of(PublishRecord.of(new byte[] {1}))).join();
            assertThat(io.forces.get()).isZero();
            await().atMost(Duration.ofSeconds(2)).until(() -> io.forces.get() == 1);
        }
    }

    @Test
    void shouldNeverForceUnderTheNeverPolicy() {
        CountingIo io = new CountingIo();
        try (LocalEngine engine = open(io, SyncPolicy.NEVER)) {
            engine.append("t", List.of(PublishRecord.of(new byte[] {1}))).join();
            await().during(Duration.ofMillis(300)).until(() -> io.forces.get() == 0);
        }
    }
}
