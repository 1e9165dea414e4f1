package dev.ferry.internal.engine;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * them. Never a thread per topic: a broker may hold thousands of small reply topics.
 */
final class EngineLoops implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineLoops.class);
    static final long TICK_MILLIS = 10;
    static final int HOUSEKEEPING_TICKS = 25;

    private final ScheduledExecutorService executor;
    private final List<Set<TopicState>> shards;

    EngineLoops(int threads, Consumer<TopicTick> ticker) {
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, "ferry-engine-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.shards = IntStream.range(0, threads)
                .mapToObj(i -> (Set<TopicState>) ConcurrentHashMap.<TopicState>newKeySet())
                .toList();
        for (int i = 0; i < threads; i++) {
            Set<TopicState> shard = shards.get(i);
            AtomicInteger ticks = new AtomicInteger();
            executor.scheduleWithFixedDelay(
                    () -> {
                        boolean housekeeping = ticks.incrementAndGet() % HOUSEKEEPING_TICKS == 0;
                        for (TopicState topic : shard) {
                            try {
                                ticker.accept(new TopicTick(topic, housekeeping));
                            } catch (RuntimeException e) {
                                log.error("topic {}: tick failed", topic.name, e);
                            }
                        }
                    },
                    TICK_MILLIS,
                    TICK_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** One tick of one topic. */
    record TopicTick(TopicState topic, boolean housekeeping) {}

    /** Runs {@code task} every {@code periodMillis} ms on one of the engine threads. */
    void every(long periodMillis, Runnable task) {
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        log.error("periodic engine task failed", e);
                    }
                },
                periodMillis,
                periodMillis,
                TimeUnit.MILLISECONDS);
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
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
