package dev.ferry.bench;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SyncPolicy;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.support.EmbeddedEngines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The embedded engine alone, without the bus's checks, handler executor or dispatch threads, on
 * one thread and sync {@link SyncPolicy#INTERVAL}: {@code append} alone (a topic without channels),
 * and {@code append + claim + ack} of every message through one channel. The difference between
 * these and {@link EndToEndBenchmark} is the cost of dispatch. Scores are messages per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Threads(1)
public class EngineBenchmark {
    static final int BATCH = 100;
    private static final String APPEND_ONLY = "append-only";
    private static final String CONSUMED = "consumed";
    private static final String CHANNEL = "bench";
    private static final Duration LEASE = Duration.ofSeconds(60);

    @Param({"100", "1024"})
    int bodySize;

    private Path dir;
    private Engine engine;
    private List<PublishRecord> batch;

    @Setup(Level.Trial)
    public void open() {
        dir = DataDirs.create("ferry-bench-engine-");
        engine = EmbeddedEngines.open(
                EmbeddedEngineConfig.file(dir).syncPolicy(SyncPolicy.INTERVAL).build());
        engine.createTopic(APPEND_ONLY).toCompletableFuture().join();
        engine.createChannel(CONSUMED, CHANNEL).toCompletableFuture().join();
        byte[] body = DataDirs.body(bodySize);
        List<PublishRecord> records = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            records.add(PublishRecord.of(body));
        }
        batch = List.copyOf(records);
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            engine.close();
        } finally {
            DataDirs.delete(dir);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void append() {
        engine.append(APPEND_ONLY, batch).join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int appendClaimAck() {
        engine.append(CONSUMED, batch).join();
        // the embedded engine's stages are complete on return: join() only reads them
        List<Lease> leases = engine.claim(CONSUMED, CHANNEL, BATCH, LEASE)
                .toCompletableFuture()
                .join();
        int acked = 0;
        for (Lease lease : leases) {
            if (engine.ack(lease).toCompletableFuture().join()) {
                acked++;
            }
        }
        if (acked != BATCH) {
            throw new IllegalStateException("acked " + acked + " of " + BATCH + " messages");
        }
        return acked;
    }
}
