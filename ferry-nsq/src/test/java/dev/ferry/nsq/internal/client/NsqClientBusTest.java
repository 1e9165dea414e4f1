package dev.ferry.nsq.internal.client;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.ChannelStats;
import dev.ferry.InvalidNameException;
import dev.ferry.Message;
import dev.ferry.PublishRejectedException;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import dev.ferry.spi.Lease;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connected bus against a Ferry broker in this JVM, over loopback sockets. */
class NsqClientBusTest {
    @TempDir
    Path dir;

    private TestBroker broker;

    @BeforeEach
    void start() {
        broker = new TestBroker(dir);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Message m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    private ConnectOptions.Builder options() {
        return ConnectOptions.nsqd(broker.tcpAddress())
                .nsqdHttp(broker.httpAddress())
                .socket(s -> s.reconnectBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200))));
    }

    private ChannelStats channel(String topic) {
        return done(broker.engine().stats(topic)).orElseThrow().channels().get(0);
    }

    @Test
    void shouldBeFoundThroughTheServiceLoader() {
        try (Bus bus = NsqBus.connect(options().build())) {
            assertThat(bus).isInstanceOf(NsqClientBus.class);
        }
    }

    @Test
    void shouldPublishOneBatchAndDeferredAndConsumeThemAll() {
        Queue<String> got = new ConcurrentLinkedQueue<>();
        try (Bus bus = NsqBus.connect(options().build())) {
            bus.subscribe("orders", "audit", m -> got.add(text(m)), SubscribeOptions.maxInFlight(10));
            bus.publish("orders", utf8("one"));
            bus.publish("orders", List.of(utf8("two"), utf8("three")));
            bus.publishDeferred("orders", utf8("later"), Duration.ofMillis(300));
            bus.publishAsync("orders", utf8("async")).join();
            await().until(() -> got.size() == 5);
            assertThat(got).containsExactlyInAnyOrder("one", "two", "three", "later", "async");
            await().until(() -> channel("orders").inFlight() == 0);
            assertThat(channel("orders").depth()).isZero();
        }
    }

    @Test
    void shouldKeepTheOrderOfAsyncPublishesMadeWhileTheConnectionOpens() {
        try (Bus bus = NsqBus.connect(options().build())) {
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                sent.add(bus.publishAsync("ordered", utf8("m" + i)));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
            List<String> got = new ArrayList<>();
            // the topic's first channel receives everything the topic holds, in log order
            done(broker.engine().createChannel("ordered", "check"));
            for (Lease lease : done(broker.engine().claim("ordered", "check", 100, Duration.ofSeconds(5)))) {
                got.add(new String(lease.body(), StandardCharsets.UTF_8));
            }
            assertThat(got)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50)
                            .mapToObj(i -> "m" + i)
                            .toList());
        }
    }

    @Test
    void shouldCheckNamesAndSizesBeforeSending() {
        try (Bus bus =
                NsqBus.connect(options().publishing(p -> p.maxMessageSize(10)).build())) {
            assertThatThrownBy(() -> bus.publish("bad topic", utf8("x"))).isInstanceOf(InvalidNameException.class);
            assertThatThrownBy(() -> bus.publish("t", new byte[11])).isInstanceOf(PublishRejectedException.class);
            assertThatThrownBy(() -> bus.publish("t", new byte[0])).isInstanceOf(PublishRejectedException.class);
            assertThatThrownBy(() -> bus.subscribe(
                            "t", "c", m -> {}, SubscribeOptions.DEFAULT.withMessageTimeout(Duration.ofMillis(10))))
                    .hasMessageContaining("at least 1 s");
        }
    }

    @Test
    void shouldStoreNothingOfABatchTheBrokerRefuses() {
        // the client allows 2 MiB messages, the broker 1 MiB: MPUB fails as a whole
        try (Bus bus = NsqBus.connect(
                options().publishing(p -> p.maxMessageSize(2 << 20)).build())) {
            assertThatThrownBy(() -> bus.publish("refused", List.of(utf8("small"), new byte[(1 << 20) + 1])))
                    .isInstanceOf(PublishRejectedException.class)
                    .hasMessageContaining("E_BAD_MESSAGE");
            assertThat(done(broker.engine().stats("refused"))
                            .map(t -> t.messageCount())
                            .orElse(0L))
                    .isZero();
            bus.publish("refused", utf8("after")); // a new connection is made
            assertThat(done(broker.engine().stats("refused")).orElseThrow().messageCount())
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldRequeueWhenTheHandlerThrowsAndCountAttempts() {
        Queue<Integer> attempts = new ConcurrentLinkedQueue<>();
        try (Bus bus = NsqBus.connect(options()
                .flowControl(f -> f.failureBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200))))
                .build())) {
            bus.subscribe(
                    "fails",
                    "c",
                    m -> {
                        attempts.add(m.attempts());
                        if (m.attempts() < 3) {
                            throw new IllegalStateException("not yet");
                        }
                    },
                    SubscribeOptions.maxInFlight(5).withBackoff(new Backoff(Duration.ZERO, Duration.ZERO)));
            bus.publish("fails", utf8("x"));
            await().until(() -> attempts.size() == 3);
            assertThat(attempts).containsExactly(1, 2, 3);
            await().until(() -> channel("fails").inFlight() == 0);
            assertThat(channel("fails").requeueCount()).isEqualTo(2);
        }
    }

    @Test
    void shouldFinishOrRequeueAsTheReturnedStageCompletes() {
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        try (Bus bus = NsqBus.connect(
                options().flowControl(f -> f.failureBackoff(null)).build())) {
            bus.subscribeAsync(
                    "stages",
                    "c",
                    m -> {
                        seen.add(text(m) + m.attempts());
                        return m.attempts() == 1
                                ? CompletableFuture.failedFuture(new IllegalStateException("async failure"))
                                : CompletableFuture.completedFuture("done");
                    },
                    SubscribeOptions.maxInFlight(2).withBackoff(new Backoff(Duration.ZERO, Duration.ZERO)));
            bus.publish("stages", utf8("s"));
            await().until(() -> seen.size() == 2);
            assertThat(seen).containsExactly("s1", "s2");
            await().until(() ->
                    channel("stages").inFlight() == 0 && channel("stages").depth() == 0);
        }
    }

    @Test
    void shouldLetAHandlerTakeControlTouchAndFinishLater() {
        Queue<Message> held = new ConcurrentLinkedQueue<>();
        try (Bus bus = NsqBus.connect(options().build())) {
            Subscription sub = bus.subscribe(
                    "manual",
                    "c",
                    m -> {
                        m.takeControl();
                        held.add(m);
                    },
                    SubscribeOptions.maxInFlight(3));
            bus.publish("manual", List.of(utf8("a"), utf8("b")));
            await().until(() -> held.size() == 2);
            assertThat(sub.inFlight()).isEqualTo(2);
            assertThat(channel("manual").inFlight()).isEqualTo(2);
            Message first = held.poll();
            Message second = held.poll();
            assertThat(first.touch()).isTrue();
            assertThat(first.finish()).isTrue();
            assertThat(first.finish()).isFalse();
            assertThat(second.requeue(Duration.ZERO)).isTrue();
            await().until(() -> held.size() == 1);
            assertThat(held.peek().attempts()).isEqualTo(2);
            held.poll().finish();
            await().until(() -> channel("manual").inFlight() == 0 && sub.inFlight() == 0);
            assertThat(channel("manual").requeueCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldCloseCleanlyRequeueingWhatIsStillHeld() {
        Queue<Message> held = new ConcurrentLinkedQueue<>();
        try (Bus bus = NsqBus.connect(options().build())) {
            Subscription sub = bus.subscribe(
                    "closing",
                    "c",
                    m -> {
                        m.takeControl();
                        held.add(m);
                    },
                    SubscribeOptions.maxInFlight(10).withCloseTimeout(Duration.ofMillis(100)));
            bus.publish("closing", List.of(utf8("a"), utf8("b"), utf8("c")));
            await().until(() -> held.size() == 3);
            held.poll().finish();
            sub.close();
            assertThat(held.peek().finish()).isFalse();
            await().until(() -> channel("closing").inFlight() == 0);
            assertThat(channel("closing").depth()).isEqualTo(2);
            assertThat(channel("closing").consumers()).isZero();
        }
    }

    @Test
    void shouldNeverHaveMoreInFlightThanMaxInFlight() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add(utf8("m" + i));
        }
        try (Bus bus = NsqBus.connect(options().handlerThreads(8).build())) {
            bus.subscribeAsync(
                    "bounded",
                    "c",
                    m -> {
                        most.accumulateAndGet(running.incrementAndGet(), Math::max);
                        CompletableFuture<Void> later = new CompletableFuture<>();
                        CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.MILLISECONDS)
                                .execute(() -> {
                                    running.decrementAndGet();
                                    done.incrementAndGet();
                                    later.complete(null);
                                });
                        return later;
                    },
                    SubscribeOptions.maxInFlight(7));
            bus.publish("bounded", batch);
            await().until(() -> done.get() >= 200);
            assertThat(most.get()).isLessThanOrEqualTo(7);
        }
    }

    @Test
    void shouldAnswerHeartbeatsAndKeepTheConnection() {
        Set<String> connected = ConcurrentHashMap.newKeySet();
        try (Bus bus = NsqBus.connect(options()
                .timeouts(t -> t.heartbeatInterval(Duration.ofSeconds(1)))
                .build())) {
            Subscription sub = bus.subscribe("beats", "c", m -> {});
            await().until(() -> channel("beats").consumers() == 1);
            ConsumerSubscription s = (ConsumerSubscription) sub;
            ClientConnection first = s.connections().get(0).connection();
            connected.add(first.toString());
            // nsqd closes a client that says nothing for two heartbeat intervals; 3 s of silence
            // from the application must leave the connection up
            await().pollDelay(Duration.ofSeconds(3)).until(() -> true);
            assertThat(first.isOpen()).isTrue();
            assertThat(s.connections().get(0).connection()).isSameAs(first);
        }
    }

    @Test
    void shouldReconnectAndResumeAfterTheBrokerRestarts() {
        Queue<String> got = new ConcurrentLinkedQueue<>();
        // once (in CI, not reproduced since) the consumer did not hear the old connection close within
        // 10 s; with 1 s heartbeats a connection that went quiet is given up after 2 s whatever the cause
        try (Bus bus = NsqBus.connect(options()
                .timeouts(t -> t.heartbeatInterval(Duration.ofSeconds(1)))
                .build())) {
            bus.subscribe("resume", "c", m -> got.add(text(m)), SubscribeOptions.maxInFlight(5));
            bus.publish("resume", utf8("before"));
            await().until(() -> got.contains("before"));
            broker.restart();
            await().ignoreExceptions().until(() -> {
                bus.publish("resume", utf8("after"));
                return true;
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> got.contains("after"));
        }
    }
}
