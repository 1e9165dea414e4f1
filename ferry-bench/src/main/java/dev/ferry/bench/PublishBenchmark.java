package dev.ferry.bench;

import dev.ferry.Bus;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SyncPolicy;
import java.nio.file.Path;
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
 * Blocking publishes to one topic of an embedded bus, one message at a time and in batches, from
 * one and two threads (both threads publish to the same topic). The topic has no channel, so this
 * is the cost of validating and writing to the log; scores are messages per second.
 *
 * <p>Each trial opens a bus on a fresh temporary directory and deletes it afterwards.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class PublishBenchmark {
    static final int BATCH = 100;
    private static final String TOPIC = "bench";

    @Param({"100", "1024"})
    int bodySize;

    @Param({"ALWAYS", "INTERVAL", "NEVER"})
    SyncPolicy sync;

    private Path dir;
    private Bus bus;
    private byte[] body;
    private List<byte[]> batch;

    @Setup(Level.Trial)
    public void open() {
        dir = DataDirs.create("ferry-bench-publish-");
        bus = Bus.builder()
                .engine(EmbeddedEngineConfig.file(dir).syncPolicy(sync).build())
                .open();
        body = DataDirs.body(bodySize);
        batch = DataDirs.batch(body, BATCH);
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            bus.close();
        } finally {
            DataDirs.delete(dir);
        }
    }

    @Benchmark
    @Threads(1)
    public void single() {
        bus.publish(TOPIC, body);
    }

    @Benchmark
    @Threads(2)
    public void single2Threads() {
        bus.publish(TOPIC, body);
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BATCH)
    public void batch() {
        bus.publish(TOPIC, batch);
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(BATCH)
    public void batch2Threads() {
        bus.publish(TOPIC, batch);
    }
}
