package dev.ferry.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.BusConfig;
import dev.ferry.SyncPolicy;
import dev.ferry.spi.PublishRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
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
            boolean segment = path.toString().endsWith(SegmentedLog.SUFFIX);
            return segment ? new Counting(real) : real;
        }

        private final class Counting extends FileChannel {
            private final FileChannel real;

            Counting(FileChannel real) {
                this.real = real;
            }

            @Override
            public void force(boolean metaData) throws IOException {
                LockSupport.parkNanos(2_000_000); // simulated device latency, not synchronisation
                real.force(metaData);
                forces.incrementAndGet();
            }

            @Override
            public int read(ByteBuffer dst) throws IOException {
                return real.read(dst);
            }

            @Override
            public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
                return real.read(dsts, offset, length);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return real.write(src);
            }

            @Override
            public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
                return real.write(srcs, offset, length);
            }

            @Override
            public long position() throws IOException {
                return real.position();
            }

            @Override
            public FileChannel position(long p) throws IOException {
                real.position(p);
                return this;
            }

            @Override
            public long size() throws IOException {
                return real.size();
            }

            @Override
            public FileChannel truncate(long size) throws IOException {
                real.truncate(size);
                return this;
            }

            @Override
            public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
                return real.transferTo(position, count, target);
            }

            @Override
            public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
                return real.transferFrom(src, position, count);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return real.read(dst, position);
            }

            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                return real.write(src, position);
            }

            @Override
            public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
                return real.map(mode, position, size);
            }

            @Override
            public FileLock lock(long position, long size, boolean shared) throws IOException {
                return real.lock(position, size, shared);
            }

            @Override
            public FileLock tryLock(long position, long size, boolean shared) throws IOException {
                return real.tryLock(position, size, shared);
            }

            @Override
            protected void implCloseChannel() throws IOException {
                real.close();
            }
        }
    }

    private LocalEngine open(CountingIo io, SyncPolicy policy) {
        return new LocalEngine(
                BusConfig.embedded(dir)
                        .syncPolicy(policy)
                        .syncInterval(Duration.ofMillis(100))
                        .minFreeDiskBytes(0)
                        .build(),
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
