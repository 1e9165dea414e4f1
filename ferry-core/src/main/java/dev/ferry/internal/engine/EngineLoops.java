package dev.ferry.internal.engine;

import dev.ferry.support.DaemonThreads;
import dev.ferry.support.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of engine threads (about one per core) with the topics sharded across them. Each
 * thread ticks its topics every {@link #TICK_MILLIS} ms, but only those whose next timeout or
 * deferral is due; every {@link #HOUSEKEEPING_TICKS} ticks it also does housekeeping for all of
 * them. Never a thread per topic: a broker may hold thousands of small reply topics. The beats come
 * from the process's one timer ({@link Timers}); the work runs on the shard's own thread.
 */
final class EngineLoops implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineLoops.class);
    static final long TICK_MILLIS = 10;
    static final int HOUSEKEEPING_TICKS = 25;

    private final List<ExecutorService> threads;
    private final List<Set<TopicState>> shards;
    private final List<ScheduledFuture<?>> beats = new ArrayList<>();

    EngineLoops(int count, Consumer<TopicTick> ticker) {
        AtomicInteger n = new AtomicInteger();
        this.threads = IntStream.range(0, count)
                .mapToObj(i -> Executors.newSingleThreadExecutor(
                        r -> DaemonThreads.named("ferry-engine-").newThread(r)))
                .toList();
        this.shards = IntStream.range(0, count)
                .mapToObj(i -> (Set<TopicState>) ConcurrentHashMap.<TopicState>newKeySet())
                .toList();
        for (int i = 0; i < count; i++) {
            Set<TopicState> shard = shards.get(i);
            AtomicInteger ticks = new AtomicInteger();
            int index = n.incrementAndGet();
            beats.add(Timers.every(Duration.ofMillis(TICK_MILLIS), threads.get(i), () -> {
                boolean housekeeping = ticks.incrementAndGet() % HOUSEKEEPING_TICKS == 0;
                for (TopicState topic : shard) {
                    try {
                        ticker.accept(new TopicTick(topic, housekeeping));
                    } catch (RuntimeException e) {
                        log.error("topic {}: tick failed on engine thread {}", topic.name, index, e);
                    }
                }
            }));
        }
    }

    /** One tick of one topic. */
    record TopicTick(TopicState topic, boolean housekeeping) {}

    /** Runs {@code task} every {@code periodMillis} ms on one of the engine threads. */
    void every(long periodMillis, Runnable task) {
        beats.add(Timers.every(Duration.ofMillis(periodMillis), threads.getFirst(), () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("periodic engine task failed", e);
            }
        }));
    }

    int shardCount() {
        return shards.size();
    }

    void add(TopicState topic) {
        shards.get(topic.shard).add(topic);
    }

    void remove(TopicState topic) {
        shards.get(topic.shard).remove(topic);
    }

    @Override
    public void close() {
        beats.forEach(beat -> beat.cancel(false));
        threads.forEach(ExecutorService::shutdown);
        try {
            for (ExecutorService thread : threads) {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
