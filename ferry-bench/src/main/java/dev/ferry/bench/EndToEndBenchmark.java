package dev.ferry.bench;

import dev.ferry.Bus;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.SyncPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
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
 * Publish, consume and finish in one process: an embedded bus (sync {@link SyncPolicy#INTERVAL})
 * with one subscription whose handler returns at once, so the bus finishes each message.
 *
 * <p>The publisher may run at most {@link #WINDOW} messages ahead of the handler: it takes one
 * permit per message before publishing and the handler gives one back per message. In the steady
 * state the publish rate is then the consume rate, and the score (messages per second) is the
 * end-to-end throughput; what is still in flight when an iteration ends (at most the window) is
 * under 1% of an iteration's messages.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Threads(1)
public class EndToEndBenchmark {
    static final int BATCH = 100;
    static final int WINDOW = 20_000;
    private static final String TOPIC = "bench";

    @Param({"100", "1024"})
    int bodySize;

    @Param({"2500"})
    int maxInFlight;

    private Path dir;
    private Bus bus;
    private Subscription subscription;
    private Semaphore window;
    private byte[] body;
    private List<byte[]> batch;

    @Setup(Level.Trial)
    public void open() {
        dir = DataDirs.create("ferry-bench-e2e-");
        bus = Bus.builder()
                .engine(EmbeddedEngineConfig.file(dir)
                        .syncPolicy(SyncPolicy.INTERVAL)
                        .build())
                .open();
        window = new Semaphore(WINDOW);
        Semaphore permits = window;
        subscription = bus.subscribe(TOPIC, "bench", m -> permits.release(), SubscribeOptions.maxInFlight(maxInFlight));
        body = DataDirs.body(bodySize);
        batch = DataDirs.batch(body, BATCH);
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            subscription.close();
            bus.close();
        } finally {
            DataDirs.delete(dir);
        }
    }

    /** Publishes batches of {@link #BATCH}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void batch() throws InterruptedException {
        window.acquire(BATCH);
        bus.publish(TOPIC, batch);
    }

    /** Publishes one message at a time. */
    @Benchmark
    public void single() throws InterruptedException {
        window.acquire();
        bus.publish(TOPIC, body);
    }
}
