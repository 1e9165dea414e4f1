package dev.ferry.nsq.internal.client;

import static dev.ferry.nsq.internal.client.NsqClientBusTest.text;
import static dev.ferry.nsq.internal.client.NsqClientBusTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.TopicStats;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connected bus against two or three Ferry brokers: RDY spread, redistribution, backoff, lookupd. */
class ClientClusterTest {
    @TempDir
    Path dir;

    private final List<TestBroker> brokers = new ArrayList<>();

    @BeforeEach
    void start() {
        for (int i = 0; i < 3; i++) {
            brokers.add(new TestBroker(dir.resolve("b" + i)));
        }
    }

    @AfterEach
    void stop() {
        brokers.forEach(TestBroker::close);
    }

    private ConnectOptions.Builder direct(int count) {
        ConnectOptions.Builder b = ConnectOptions.builder()
                .socket(s -> s.reconnectBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200))))
                .flowControl(f ->
                        f.rdyRedistribution(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400)));
        for (int i = 0; i < count; i++) {
            b.nsqd(brokers.get(i).tcpAddress());
        }
        return b;
    }

    private static void publishTo(TestBroker broker, String topic, String body) {
        try (Bus bus = NsqBus.connect(ConnectOptions.nsqd(broker.tcpAddress()).build())) {
            bus.publish(topic, utf8(body));
        }
    }

    @Test
    void shouldSpreadMaxInFlightOverTheConnectionsWithoutExceedingIt() {
        try (Bus bus = NsqBus.connect(direct(3).build())) {
            ConsumerSubscription sub =
                    (ConsumerSubscription) bus.subscribe("spread", "c", m -> {}, SubscribeOptions.maxInFlight(10));
            await().until(() -> sub.connections().size() == 3);
            assertThat(sub.connections()).extracting(ConsumerConnection::rdy).containsExactlyInAnyOrder(4, 3, 3);
            brokers.get(2).stop();
            await().until(() -> sub.connections().size() == 2);
            assertThat(sub.connections()).extracting(ConsumerConnection::rdy).containsExactly(5, 5);
            brokers.set(2, new TestBroker(dir.resolve("b2-again")));
        }
    }

    @Test
    void shouldMoveRdyBetweenConnectionsSoThatNoBrokerStarves() {
        // max in flight 1 over 3 brokers: one holds RDY 1 at a time, and it moves
        for (int i = 0; i < 3; i++) {
            for (int n = 0; n < 3; n++) {
                publishTo(brokers.get(i), "starve", "b" + i + "-" + n);
            }
        }
        Queue<String> got = new ConcurrentLinkedQueue<>();
        try (Bus bus = NsqBus.connect(direct(3).build())) {
            ConsumerSubscription sub = (ConsumerSubscription)
                    bus.subscribe("starve", "c", m -> got.add(text(m)), SubscribeOptions.maxInFlight(1));
            await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 9);
            assertThat(sub.connections()).hasSize(3);
            assertThat(sub.connections().stream()
                            .mapToInt(ConsumerConnection::rdy)
                            .sum())
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    void shouldBackOffWithRdyZeroThenTestTheWatersWithRdyOne() {
        AtomicBoolean failing = new AtomicBoolean(true);
        Queue<String> got = new ConcurrentLinkedQueue<>();
        try (Bus bus = NsqBus.connect(direct(2)
                .flowControl(f -> f.failureBackoff(new Backoff(Duration.ofMillis(500), Duration.ofSeconds(2))))
                .build())) {
            ConsumerSubscription sub = (ConsumerSubscription) bus.subscribe(
                    "backoff",
                    "c",
                    m -> {
                        if (failing.get()) {
                            throw new IllegalStateException("down");
                        }
                        got.add(text(m));
                    },
                    SubscribeOptions.maxInFlight(10).withBackoff(new Backoff(Duration.ZERO, Duration.ZERO)));
            await().until(() -> sub.connections().size() == 2);
            publishTo(brokers.get(0), "backoff", "x");
            // the failure sets every connection to RDY 0
            await().until(() -> sub.connections().stream().allMatch(c -> c.rdy() == 0));
            failing.set(false);
            // then one connection gets RDY 1, the message succeeds, and full RDY returns
            await().until(() -> got.contains("x"));
            await().until(() ->
                    sub.connections().stream().mapToInt(ConsumerConnection::rdy).sum() == 10);
        }
    }

    @Test
    void shouldFindTheBrokerThroughItsLookupdEndpoints() {
        TestBroker b = brokers.get(0);
        publishTo(b, "found", "hello");
        Queue<String> got = new ConcurrentLinkedQueue<>();
        try (Bus bus = NsqBus.connect(ConnectOptions.lookupd(b.httpAddress())
                .discovery(d -> d.lookupdPoll(Duration.ofMillis(100), 0.3))
                .build())) {
            bus.subscribe("found", "c", m -> got.add(text(m)));
            await().until(() -> got.contains("hello"));
            bus.publish("found", utf8("through lookupd"));
            await().until(() -> got.contains("through lookupd"));
            assertThat(bus.admin().topic("found").map(TopicStats::messageCount)).contains(2L);
        }
    }

    @Test
    void shouldConsumeFromEveryBrokerItsLookupdsList() {
        publishTo(brokers.get(0), "both", "from 0");
        Queue<String> got = new ConcurrentLinkedQueue<>();
        try (Bus bus = NsqBus.connect(ConnectOptions.lookupd(
                        brokers.get(0).httpAddress(), brokers.get(1).httpAddress())
                .discovery(d -> d.lookupdPoll(Duration.ofMillis(100), 0.3))
                .build())) {
            ConsumerSubscription sub = (ConsumerSubscription)
                    bus.subscribe("both", "c", m -> got.add(text(m)), SubscribeOptions.maxInFlight(4));
            await().until(() -> got.contains("from 0"));
            // the second broker answers /lookup with 404 until it has the topic, then lists itself
            publishTo(brokers.get(1), "both", "from 1");
            await().until(() -> got.contains("from 1"));
            assertThat(sub.connections()).hasSize(2);
        }
    }
}
