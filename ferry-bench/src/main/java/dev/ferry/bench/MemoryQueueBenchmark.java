package dev.ferry.bench;

import dev.ferry.mqueue.MemoryQueueItem;
import dev.ferry.mqueue.MemoryQueues;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * A memory queue's add + fetch, each operation one add of a new item followed by one fetch, from 1,
 * 2 and 4 threads sharing one queue (size limit 1,024, add mode 0), beside {@link
 * ArrayBlockingQueue} {@code offer + poll} of the same items as the baseline. Scores are add+fetch
 * pairs per second, summed over the threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class MemoryQueueBenchmark {
    private static final String QUEUE = "bench";

    private MemoryQueues queues;
    private ArrayBlockingQueue<MemoryQueueItem> baseline;

    @Setup(Level.Trial)
    public void open() {
        queues = MemoryQueues.of("name=" + QUEUE + ";size=1024");
        baseline = new ArrayBlockingQueue<>(1024);
    }

    @TearDown(Level.Trial)
    public void close() {
        queues.close();
    }

    private MemoryQueueItem memoryQueue() {
        queues.add(QUEUE, "key", "value");
        return queues.fetch(QUEUE).orElse(null);
    }

    private MemoryQueueItem arrayBlockingQueue() {
        baseline.offer(new MemoryQueueItem("key", "value"));
        return baseline.poll();
    }

    @Benchmark
    @Threads(1)
    public MemoryQueueItem memoryQueue1Thread() {
        return memoryQueue();
    }

    @Benchmark
    @Threads(2)
    public MemoryQueueItem memoryQueue2Threads() {
        return memoryQueue();
    }

    @Benchmark
    @Threads(4)
    public MemoryQueueItem memoryQueue4Threads() {
        return memoryQueue();
    }

    @Benchmark
    @Threads(1)
    public MemoryQueueItem arrayBlockingQueue1Thread() {
        return arrayBlockingQueue();
    }

    @Benchmark
    @Threads(2)
    public MemoryQueueItem arrayBlockingQueue2Threads() {
        return arrayBlockingQueue();
    }

    @Benchmark
    @Threads(4)
    public MemoryQueueItem arrayBlockingQueue4Threads() {
        return arrayBlockingQueue();
    }
}
