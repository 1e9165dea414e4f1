package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.Message;
import dev.ferry.SubscribeOptions;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code ferry server} processes on one real Redis ({@code --engine redis://...}) are one broker
 * to their clients: what is published on one is consumed on the other, and the messages in flight on
 * a broker killed with SIGKILL come back on the other after their timeout.
 */
class RedisBrokersTest {
    @TempDir
    Path dir;

    private final RedisProcesses redisProcesses = new RedisProcesses();
    private final List<AutoCloseable> open = new ArrayList<>();
    private RedisProcess redis;

    @BeforeEach
    void startRedis() {
        redis = redisProcesses.server();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        redisProcesses.close();
    }

    private FerryProcess broker(String name) throws Exception {
        FerryProcess p = FerryProcess.start(
                "server",
                "--engine",
                redis.uri(),
                "--msg-timeout=1s",
                "--tcp-address=127.0.0.1:0",
                "--http-address=127.0.0.1:0",
                "--data-path=" + dir.resolve(name));
        open.add(p);
        return p;
    }

    private Bus client(FerryProcess broker) {
        Bus bus = NsqBus.connect(ConnectOptions.nsqd("127.0.0.1:" + broker.tcpPort())
                .socket(s -> s.reconnectBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300))))
                .build());
        open.add(bus);
        return bus;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Message m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldConsumeOnOneBrokerWhatWasPublishedOnTheOther() throws Exception {
        FerryProcess a = broker("a");
        FerryProcess b = broker("b");
        Bus onA = client(a);
        Bus onB = client(b);
        Set<String> received = ConcurrentHashMap.newKeySet();
        onB.subscribe("orders", "billing", m -> received.add(text(m)), SubscribeOptions.maxInFlight(50));
        List<String> sent = IntStream.range(0, 300).mapToObj(i -> "m" + i).toList();
        for (int i = 0; i < sent.size(); i += 30) {
            onA.publish(
                    "orders",
                    sent.subList(i, i + 30).stream()
                            .map(RedisBrokersTest::bytes)
                            .toList());
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(received).containsExactlyInAnyOrderElementsOf(sent));
    }

    @Test
    void shouldRedeliverOnTheOtherBrokerWhatWasInFlightOnABrokerKilledWithSigkill() throws Exception {
        FerryProcess a = broker("a");
        FerryProcess b = broker("b");
        Bus onA = client(a);
        Bus onB = client(b);
        // a consumer on A that takes five messages at a time and never answers them
        Map<String, Integer> heldOnA = new ConcurrentHashMap<>();
        onA.subscribeAsync(
                "jobs",
                "work",
                m -> {
                    heldOnA.put(text(m), m.attempts());
                    return new CompletableFuture<Void>();
                },
                SubscribeOptions.maxInFlight(5).withMessageTimeout(Duration.ofSeconds(3)));
        List<String> sent = IntStream.range(0, 40).mapToObj(i -> "job" + i).toList();
        onA.publish(
                "jobs",
                sent.subList(0, 20).stream().map(RedisBrokersTest::bytes).toList());
        await().atMost(Duration.ofSeconds(30)).until(() -> heldOnA.size() == 5);

        Map<String, Integer> doneOnB = new ConcurrentHashMap<>();
        onB.subscribe(
                "jobs", "work", m -> doneOnB.merge(text(m), m.attempts(), Math::max), SubscribeOptions.maxInFlight(50));
        // the other fifteen (and, on a slow machine, A's five once they timed out)
        await().atMost(Duration.ofSeconds(30)).until(() -> doneOnB.size() >= 15);

        a.kill();
        onB.publish(
                "jobs",
                sent.subList(20, 40).stream().map(RedisBrokersTest::bytes).toList());

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(doneOnB.keySet()).containsExactlyInAnyOrderElementsOf(sent));
        for (String held : heldOnA.keySet()) {
            assertThat(doneOnB.get(held))
                    .as("%s came back after its timeout, a second attempt", held)
                    .isGreaterThanOrEqualTo(2);
        }
    }

    /**
     * A topic with one channel keeps its bodies inline until a second channel appears, which moves
     * them to the shared body hash in one script: a second channel created through broker B while
     * broker A publishes, and A killed with SIGKILL right after, lose nothing acknowledged, on either
     * channel, and A's messages in flight come back on B.
     */
    @Test
    void shouldLoseNothingWhenABrokerIsKilledWhileASecondChannelAppearsUnderItsPublisher() throws Exception {
        FerryProcess a = broker("a");
        FerryProcess b = broker("b");
        Bus onA = client(a);
        Bus onB = client(b);
        // A's consumer of the first channel takes a few messages and never answers them
        Set<String> heldOnA = ConcurrentHashMap.newKeySet();
        onA.subscribeAsync(
                "feed",
                "first",
                m -> {
                    heldOnA.add(text(m));
                    return new CompletableFuture<Void>();
                },
                SubscribeOptions.maxInFlight(5).withMessageTimeout(Duration.ofSeconds(2)));
        Set<String> first = ConcurrentHashMap.newKeySet();
        onB.subscribe("feed", "first", m -> first.add(text(m)), SubscribeOptions.maxInFlight(100));
        List<String> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture.runAsync(() -> {
            for (int next = 0; !stop.get(); next += 10) {
                List<String> batch =
                        IntStream.range(next, next + 10).mapToObj(i -> "a" + i).toList();
                try {
                    onA.publish(
                            "feed", batch.stream().map(RedisBrokersTest::bytes).toList());
                } catch (RuntimeException e) {
                    return; // A is gone: this batch was not acknowledged
                }
                acknowledged.addAll(batch);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 300 && heldOnA.size() >= 5);

        Set<String> second = ConcurrentHashMap.newKeySet();
        onB.subscribe("feed", "second", m -> second.add(text(m)), SubscribeOptions.maxInFlight(100));
        int before = acknowledged.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= before + 300);
        a.kill();
        stop.set(true);
        List<String> onBAfter = IntStream.range(0, 50).mapToObj(i -> "b" + i).toList();
        onB.publish("feed", onBAfter.stream().map(RedisBrokersTest::bytes).toList());

        List<String> all = new ArrayList<>(acknowledged);
        all.addAll(onBAfter);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(first).containsAll(all));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(second).containsAll(onBAfter));
        assertThat(first).as("A's messages in flight came back on B").containsAll(heldOnA);
        assertThat(second)
                .as("the second channel got nothing published long before it was asked for")
                .doesNotContainAnyElementsOf(all.subList(0, 300));
    }
}
