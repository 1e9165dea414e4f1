package dev.ferry.redis.busmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.busmq.BusQueue;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Side by side on one private redis-server: node busmq 3.1's end-to-end queue rate (its own
 * producer and consumer, one pop per round trip) and Ferry's (batched pushes, batched takes), 100 B
 * messages. A measurement, not a test: runs only with {@code -Dbusmq.bench=true} (see
 * docs/BENCHMARKS.md for the figures and how to run it).
 */
@EnabledIfSystemProperty(named = "busmq.bench", matches = "true")
class BusmqThroughputBench {
    private static final int NODE_COUNT = Integer.getInteger("busmq.bench.node", 20_000);
    private static final int FERRY_COUNT = Integer.getInteger("busmq.bench.ferry", 400_000);
    private static final int PUSH_BATCH = 100;
    private static final int ROUNDS = Integer.getInteger("busmq.bench.rounds", 5);

    @BeforeAll
    static void installBusmq() throws Exception {
        NodeBusmq.install();
    }

    @Test
    void measureNodeBusmqBesideFerry() throws Exception {
        try (RedisProcesses processes = new RedisProcesses()) {
            RedisProcess redis = processes.server();
            for (String driver : List.of("node-redis", "ioredis")) {
                try (NodeBusmq node = NodeBusmq.start(
                        java.util.Map.of("BUSMQ_DRIVER", driver),
                        "bench",
                        redis.uri(),
                        "node-bench-" + driver,
                        String.valueOf(NODE_COUNT),
                        "100")) {
                    System.out.println("node busmq 3.1 (" + driver + "): " + node.result());
                }
            }
            try (Bus bus = Bus.open(redis.uri())) {
                for (int round = 1; round <= ROUNDS; round++) {
                    double[] rates = ferryRates(bus, "ferry-bench-" + round);
                    System.out.printf(
                            "Ferry round %d: %d messages, end to end %.0f msg/s (pushes done at %.0f msg/s)%n",
                            round, FERRY_COUNT, rates[0], rates[1]);
                }
            }
        }
    }

    /** The end-to-end rate and the rate at which the pushes completed. */
    private static double[] ferryRates(Bus bus, String name) throws InterruptedException {
        String body = "x".repeat(100);
        List<String> batch = Collections.nCopies(PUSH_BATCH, body);
        AtomicLong got = new AtomicLong();
        try (BusQueue consumer = BusQueue.of(bus, name);
                BusQueue producer = BusQueue.of(bus, name)) {
            consumer.addListener(new BusQueue.Listener() {
                @Override
                public void message(String message) {
                    got.incrementAndGet();
                }
            });
            consumer.attach();
            producer.attach();
            consumer.consume();
            long start = System.nanoTime();
            // four producer threads, so pushes are pipelined over the connection
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                producers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < FERRY_COUNT / 4 / PUSH_BATCH; i++) {
                        producer.tryPushAll(batch);
                    }
                }));
            }
            for (Thread t : producers) {
                t.join();
            }
            double pushSeconds = (System.nanoTime() - start) / 1e9;
            await().atMost(Duration.ofMinutes(2)).until(() -> got.get() >= FERRY_COUNT);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(got.get()).isEqualTo(FERRY_COUNT);
            producer.destroy();
            return new double[] {FERRY_COUNT / seconds, FERRY_COUNT / pushSeconds};
        }
    }
}
