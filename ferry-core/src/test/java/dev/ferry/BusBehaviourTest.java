package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Bus} API over the embedded engine: handlers, flow control, responses, limits. */
class BusBehaviourTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();
    private Bus bus;

    @BeforeEach
    void open() {
        bus = openBus(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(),
                BusConfig.builder()
                        .clock(clock)
                        .maxMessageSize(1024)
                        .maxBatchSize(4096)
                        .build());
    }

    /** Opens the bus under test; a subclass may put another engine under it. */
    protected Bus openBus(EmbeddedEngineConfig engine, BusConfig config) {
        return Bus.builder().engine(engine).config(config).open();
    }

    @AfterEach
    void close() {
        bus.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private ChannelStats stats(String topic, String channel) {
        return bus.admin().topic(topic).orElseThrow().channels().stream()
                .filter(c -> c.name().equals(channel))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void shouldNeverRunMoreHandlersThanMaxInFlight() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        bus.subscribe(
                "t",
                "c",
                m -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    release.await(10, TimeUnit.SECONDS);
                    running.decrementAndGet();
                    done.incrementAndGet();
                },
                SubscribeOptions.maxInFlight(3));
        IntStream.range(0, 20).forEach(i -> bus.publish("t", bytes("m" + i)));
        await().until(() -> running.get() == 3);
        assertThat(stats("t", "c").inFlight()).isEqualTo(3);
        release.countDown();
        await().until(() -> done.get() == 20);
        assertThat(peak.get()).isEqualTo(3);
    }

    @Test
    void shouldRequeueWithBackoffWhenTheHandlerThrows() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        bus.subscribe(
                "t",
                "c",
                m -> {
                    attempts.add(m.attempts());
                    if (m.attempts() < 3) {
                        throw new IllegalStateException("not yet");
                    }
                },
                SubscribeOptions.DEFAULT.withBackoff(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60))));
        bus.publish("t", bytes("x"));
        await().until(() -> attempts.size() == 1);
        await().until(() -> stats("t", "c").deferred() == 1);
        clock.advance(Duration.ofMillis(999));
        assertThat(attempts).containsExactly(1);
        clock.advance(Duration.ofMillis(1));
        await().until(() -> attempts.size() == 2);
        clock.advance(Duration.ofMillis(1999));
        await().until(() -> stats("t", "c").deferred() == 1);
        assertThat(attempts).containsExactly(1, 2);
        clock.advance(Duration.ofMillis(1));
        await().until(() -> attempts.size() == 3);
        await().until(() -> stats("t", "c").inFlight() == 0 && stats("t", "c").deferred() == 0);
        assertThat(stats("t", "c").requeueCount()).isEqualTo(2);
    }

    @Test
    void shouldFinishWhenAReturnedStageCompletesAndRequeueWhenItFails() {
        Queue<CompletableFuture<Void>> stages = new ConcurrentLinkedQueue<>();
        bus.subscribeAsync(
                "t",
                "c",
                m -> {
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    stages.add(f);
                    return f;
                },
                SubscribeOptions.maxInFlight(2));
        bus.publish("t", List.of(bytes("ok"), bytes("bad")));
        await().until(() -> stages.size() == 2);
        assertThat(stats("t", "c").inFlight()).isEqualTo(2);
        stages.poll().complete(null);
        stages.poll().completeExceptionally(new IllegalStateException("boom"));
        await().until(() -> stats("t", "c").inFlight() == 0);
        assertThat(stats("t", "c").requeueCount()).isEqualTo(1);
        assertThat(stats("t", "c").deferred()).isEqualTo(1);
    }

    @Test
    void shouldLetAHandlerTakeControlAndRespondLater() {
        Queue<Message> held = new ConcurrentLinkedQueue<>();
        bus.subscribe(
                "t",
                "c",
                m -> {
                    m.takeControl();
                    held.add(m);
                },
                SubscribeOptions.maxInFlight(5));
        bus.publish("t", List.of(bytes("a"), bytes("b")));
        await().until(() -> held.size() == 2);
        assertThat(stats("t", "c").inFlight()).isEqualTo(2);
        Message a = held.poll();
        Message b = held.poll();
        assertThat(a.touch()).isTrue();
        assertThat(a.finish()).isTrue();
        assertThat(a.finish()).as("only the first response counts").isFalse();
        assertThat(b.requeue(Duration.ZERO)).isTrue();
        await().until(() -> held.size() == 1);
        Message again = held.poll();
        assertThat(again.id()).isEqualTo(b.id());
        assertThat(again.attempts()).isEqualTo(2);
        again.finish();
        await().until(() -> stats("t", "c").inFlight() == 0);
    }

    @Test
    void shouldRedeliverAMessageWhoseHandlerNeverResponds() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        bus.subscribe(
                "t",
                "c",
                m -> {
                    attempts.add(m.attempts());
                    if (m.attempts() == 1) {
                        m.takeControl();
                    }
                },
                SubscribeOptions.maxInFlight(1).withMessageTimeout(Duration.ofSeconds(2)));
        bus.publish("t", bytes("x"));
        await().until(() -> attempts.size() == 1);
        clock.advance(Duration.ofSeconds(2));
        await().until(() -> attempts.size() == 2);
        assertThat(attempts).containsExactly(1, 2);
        await().until(() ->
                stats("t", "c").timeoutCount() == 1 && stats("t", "c").inFlight() == 0);
    }

    @Test
    void shouldRequeueInFlightMessagesAtOnceWhenASubscriptionCloses() {
        CountDownLatch entered = new CountDownLatch(1);
        Subscription slow = bus.subscribe(
                "t",
                "c",
                m -> {
                    m.takeControl();
                    entered.countDown();
                },
                SubscribeOptions.maxInFlight(1));
        bus.publish("t", bytes("x"));
        await().until(() -> entered.getCount() == 0);
        slow.close();
        assertThat(stats("t", "c").depth()).isEqualTo(1);
        assertThat(stats("t", "c").inFlight()).isZero();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        bus.subscribe("t", "c", m -> attempts.add(m.attempts()));
        await().until(() -> attempts.size() == 1);
        assertThat(attempts).containsExactly(2);
    }

    @Test
    void shouldWaitForRunningHandlersWhenClosing() {
        CountDownLatch entered = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        Subscription sub = bus.subscribe("t", "c", m -> {
            entered.countDown();
            await().pollDelay(Duration.ofMillis(200)).until(() -> true);
            finished.incrementAndGet();
        });
        bus.publish("t", bytes("x"));
        await().until(() -> entered.getCount() == 0);
        sub.close();
        assertThat(finished.get()).isEqualTo(1);
        ChannelStats s = stats("t", "c");
        assertThat(s.inFlight()).isZero();
        assertThat(s.depth()).isZero();
        assertThat(s.requeueCount()).isZero();
    }

    @Test
    void shouldLetAHandlerCloseItsOwnSubscriptionWithoutWaitingForItself() {
        Subscription[] self = new Subscription[1];
        CompletableFuture<Long> closedIn = new CompletableFuture<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        self[0] = bus.subscribe(
                "t",
                "c",
                m -> {
                    subscribed.await(5, TimeUnit.SECONDS);
                    long start = System.nanoTime();
                    self[0].close();
                    closedIn.complete(System.nanoTime() - start);
                },
                SubscribeOptions.DEFAULT.withCloseTimeout(Duration.ofSeconds(30)));
        subscribed.countDown();
        bus.publish("t", bytes("x"));
        assertThat(closedIn).succeedsWithin(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(closedIn.join())).isLessThan(Duration.ofSeconds(5));
        await().untilAsserted(() -> {
            ChannelStats stats = stats("t", "c");
            assertThat(stats.inFlight()).isZero();
            assertThat(stats.depth())
                    .as("its own message is finished, not requeued")
                    .isZero();
            assertThat(stats.requeueCount()).isZero();
        });
    }

    @Test
    void shouldPauseAndResumeASubscription() {
        List<String> got = new CopyOnWriteArrayList<>();
        Subscription sub = bus.subscribe("t", "c", m -> got.add(new String(m.body())));
        sub.pause();
        assertThat(sub.isPaused()).isTrue();
        bus.publish("t", bytes("a"));
        assertThat(stats("t", "c").depth()).isEqualTo(1);
        assertThat(got).isEmpty();
        sub.resume();
        await().until(() -> got.size() == 1);
    }

    @Test
    void shouldShareAChannelAndCopyToEveryChannel() {
        AtomicInteger one = new AtomicInteger();
        AtomicInteger two = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        bus.subscribe("t", "c", m -> one.incrementAndGet(), SubscribeOptions.maxInFlight(10));
        bus.subscribe("t", "c", m -> two.incrementAndGet(), SubscribeOptions.maxInFlight(10));
        bus.subscribe("t", "d", m -> other.incrementAndGet(), SubscribeOptions.maxInFlight(10));
        for (int i = 0; i < 50; i++) {
            bus.publish("t", List.of(bytes("a" + i), bytes("b" + i)));
        }
        await().until(() -> one.get() + two.get() == 100 && other.get() == 100);
        assertThat(stats("t", "c").consumers()).isEqualTo(2);
    }

    @Test
    void shouldDeliverDeferredPublishesAtTheirDueTime() {
        List<String> got = new CopyOnWriteArrayList<>();
        bus.subscribe("t", "c", m -> got.add(new String(m.body())));
        bus.publishDeferred("t", bytes("later"), Duration.ofSeconds(30));
        bus.publishDeferredAsync("t", bytes("later2"), Duration.ofSeconds(30)).join();
        bus.publish("t", bytes("now"));
        await().until(() -> got.size() == 1);
        assertThat(stats("t", "c").deferred()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(30));
        await().until(() -> got.size() == 3);
        assertThat(got).containsExactly("now", "later", "later2");
    }

    @Test
    void shouldRejectBadNamesNamingTheNameAndTheRule() {
        assertThatThrownBy(() -> bus.publish("bad name", bytes("x")))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("\"bad name\"")
                .hasMessageContaining("1-64 characters");
        assertThatThrownBy(() -> bus.subscribe("t", "x".repeat(65), m -> {}))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("channel");
        assertThatThrownBy(() -> bus.admin().createTopic("#ephemeral")).isInstanceOf(InvalidNameException.class);
        bus.admin().createTopic("a.b_c-d#ephemeral");
    }

    @Test
    void shouldRejectMessagesOverTheLimitsAndStoreNothing() {
        assertThatThrownBy(() -> bus.publish("t", new byte[1025]))
                .isInstanceOf(PublishRejectedException.class)
                .hasMessageContaining("1025 bytes exceeds maxMessageSize 1024");
        assertThatThrownBy(() -> bus.publish("t", new byte[0]))
                .isInstanceOf(PublishRejectedException.class)
                .hasMessageContaining("empty");
        List<byte[]> batch = IntStream.range(0, 5).mapToObj(i -> new byte[1000]).toList();
        assertThatThrownBy(() -> bus.publish("t", batch))
                .isInstanceOf(PublishRejectedException.class)
                .hasMessageContaining("exceeds maxBatchSize 4096");
        assertThat(bus.publishAsync("t", new byte[2000]))
                .failsWithin(Duration.ofSeconds(1))
                .withThrowableThat()
                .withCauseInstanceOf(PublishRejectedException.class);
        assertThat(bus.admin().topic("t")).isEmpty();
    }

    @Test
    void shouldCompleteAsyncPublishesOnceStored() {
        List<CompletableFuture<Void>> futures = IntStream.range(0, 100)
                .mapToObj(i -> bus.publishAsync("t", bytes("m" + i)))
                .toList();
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        assertThat(bus.admin().topic("t").orElseThrow().depth()).isEqualTo(100);
    }

    @Test
    void shouldFailOperationsAfterClose() {
        bus.close();
        assertThatThrownBy(() -> bus.publish("t", bytes("x")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("closed");
    }
}
