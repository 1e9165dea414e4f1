package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.ChannelStats;
import dev.ferry.SubscribeOptions;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Redis killed with SIGKILL and restarted under publish and consume load (append-only file on, its
 * default {@code appendfsync everysec}: Redis writes a command to the file before it answers, so a
 * killed process loses nothing it acknowledged). While it is down publishers get an error naming its
 * address; once it is back both sides resume by themselves, and every acknowledged message arrives.
 */
class RedisRestartUnderLoadTest {
    @Test
    void shouldResumeAfterRedisIsKilledAndRestartedLosingNothingAcknowledged() throws Exception {
        try (RedisProcesses processes = new RedisProcesses()) {
            RedisProcess redis = processes.server("--appendonly", "yes");
            Set<String> acked = ConcurrentHashMap.newKeySet();
            Set<String> received = ConcurrentHashMap.newKeySet();
            Queue<Throwable> refusals = new ConcurrentLinkedQueue<>();
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicInteger next = new AtomicInteger();
            try (Bus bus = Bus.open(redis.uri() + "?timeout=2s")) {
                bus.subscribe(
                        "load",
                        "c",
                        m -> received.add(new String(m.body(), StandardCharsets.UTF_8)),
                        SubscribeOptions.maxInFlight(100).withMessageTimeout(Duration.ofSeconds(2)));
                List<Thread> producers = new ArrayList<>();
                for (int p = 0; p < 2; p++) {
                    producers.add(Thread.ofPlatform().start(() -> {
                        while (producing.get()) {
                            List<byte[]> batch = new ArrayList<>();
                            List<String> bodies = new ArrayList<>();
                            for (int k = 0; k < 20; k++) {
                                String body = "m" + next.getAndIncrement();
                                bodies.add(body);
                                batch.add(body.getBytes(StandardCharsets.UTF_8));
                            }
                            try {
                                bus.publish("load", batch);
                                acked.addAll(bodies);
                            } catch (RuntimeException e) {
                                refusals.add(e);
                                // not acknowledged; pace the retries while Redis is away
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                            }
                        }
                    }));
                }
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 2_000 && received.size() >= 500);
                    redis.kill();
                    await().atMost(Duration.ofSeconds(20)).until(() -> refusals.size() >= 5);
                    int ackedWhileDown = acked.size();
                    redis.restart();
                    await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= ackedWhileDown + 2_000);
                } finally {
                    producing.set(false);
                    for (Thread t : producers) {
                        t.join();
                    }
                }
                assertThat(refusals)
                        .allSatisfy(e -> assertThat(e.getMessage())
                                .as("a publish refused while Redis is down names it")
                                .contains("Redis at " + redis.address()));
                await().atMost(Duration.ofSeconds(60)).until(() -> received.containsAll(acked));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    ChannelStats c =
                            bus.admin().topic("load").orElseThrow().channels().get(0);
                    return c.inFlight() == 0 && c.depth() == 0;
                });
                Set<String> missing = new HashSet<>(acked);
                missing.removeAll(received);
                assertThat(missing).as("acknowledged publishes lost").isEmpty();
            }
        }
    }
}
