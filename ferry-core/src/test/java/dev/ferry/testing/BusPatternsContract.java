package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.AckMode;
import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.ChannelStats;
import dev.ferry.DeadLetter;
import dev.ferry.EventRouter;
import dev.ferry.MessageHandler;
import dev.ferry.SubscribeOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The patterns on top of the {@link Bus} API (ack modes, dead letters, event routing, request/reply),
 * written once against any bus: a subclass says how to open one whose
 * engine runs on the given clock. The embedded bus runs it now; the NSQ client will run it against
 * a broker.
 */
public abstract class BusPatternsContract {
    /** No waiting between retries, so that tests need not move the clock. */
    protected static final Backoff NO_BACKOFF = new Backoff(Duration.ZERO, Duration.ZERO);

    protected final MutableClock clock = MutableClock.start();
    protected Bus bus;

    /** Opens the bus under test; its engine must use {@code clock}. */
    protected abstract Bus openBus(MutableClock clock);

    @BeforeEach
    void openTheBus() {
        bus = openBus(clock);
    }

    @AfterEach
    void closeTheBus() {
        bus.close();
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    protected ChannelStats stats(String topic, String channel) {
        return bus.admin().topic(topic).orElseThrow().channels().stream()
                .filter(c -> c.name().equals(channel))
                .findFirst()
                .orElseThrow();
    }

    /** Collects the bodies arriving on a channel of {@code topic}. */
    protected List<String> collect(String topic, String channel) {
        List<String> got = new CopyOnWriteArrayList<>();
        bus.subscribe(
                topic, channel, MessageHandler.of(m -> got.add(text(m.body()))), SubscribeOptions.maxInFlight(16));
        return got;
    }

    // ---- ack modes ------------------------------------------------------------------------------

    @Test
    void shouldFinishOnReceiptAndNeverRetryWithImmediateAckMode() {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        var sub = bus.subscribe(
                "t",
                "c",
                MessageHandler.of(m -> {
                    calls.incrementAndGet();
                    release.await(10, TimeUnit.SECONDS);
                    throw new IllegalStateException("lost on purpose");
                }),
                SubscribeOptions.DEFAULT.withAckMode(AckMode.IMMEDIATE).withBackoff(NO_BACKOFF));
        bus.publish("t", bytes("once"));
        await().until(() -> calls.get() == 1);
        // finished in the engine while the handler still runs, which still holds its slot
        await().until(() -> stats("t", "c").inFlight() == 0);
        assertThat(sub.inFlight()).isEqualTo(1);
        release.countDown();
        await().until(() -> sub.inFlight() == 0);
        bus.publish("t", bytes("marker"));
        await().until(() -> calls.get() == 2);
        assertThat(stats("t", "c").requeueCount()).isZero();
    }

    @Test
    void shouldBoundRunningHandlersByMaxInFlightWithImmediateAckMode() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        bus.subscribe(
                "t",
                "c",
                MessageHandler.of(m -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    release.await(10, TimeUnit.SECONDS);
                    running.decrementAndGet();
                    done.incrementAndGet();
                }),
                SubscribeOptions.maxInFlight(2).withAckMode(AckMode.IMMEDIATE));
        IntStream.range(0, 10).forEach(i -> bus.publish("t", bytes("m" + i)));
        await().until(() -> running.get() == 2);
        assertThat(stats("t", "c").depth()).isEqualTo(8);
        release.countDown();
        await().until(() -> done.get() == 10);
        assertThat(peak.get()).isEqualTo(2);
    }

    @Test
    void shouldRequeueWithExponentialBackoffAfterTheHandlerByDefault() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        bus.subscribe(
                "t",
                "c",
                MessageHandler.of(m -> {
                    attempts.add(m.attempts());
                    if (m.attempts() < 3) {
                        throw new IllegalStateException("not yet");
                    }
                }),
                SubscribeOptions.DEFAULT.withBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10))));
        assertThat(SubscribeOptions.DEFAULT.ackMode()).isEqualTo(AckMode.AFTER_HANDLER);
        bus.publish("t", bytes("x"));
        await().until(() -> attempts.size() == 1 && stats("t", "c").deferred() == 1);
        clock.advance(Duration.ofMillis(100));
        await().until(() -> attempts.size() == 2 && stats("t", "c").deferred() == 1);
        clock.advance(Duration.ofMillis(199));
        await().until(() -> stats("t", "c").deferred() == 1);
        assertThat(attempts).containsExactly(1, 2);
        clock.advance(Duration.ofMillis(1));
        await().until(() -> attempts.size() == 3);
        await().until(() -> stats("t", "c").inFlight() == 0 && stats("t", "c").depth() == 0);
    }

    // ---- dead letters in the client -------------------------------------------------------------

    @Test
    void shouldMoveAMessageToTheDeadLetterTopicAfterItsLastFailedAttempt() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        List<String> dead = collect("orders.dead", "inspect");
        bus.subscribe(
                "orders",
                "billing",
                MessageHandler.of(m -> {
                    attempts.add(m.attempts());
                    throw new IllegalStateException("cannot bill " + text(m.body()));
                }),
                SubscribeOptions.DEFAULT.withBackoff(NO_BACKOFF).withDeadLetter(DeadLetter.after(3)));
        bus.publish("orders", bytes("{\"id\":42}"));
        await().until(() -> dead.size() == 1);
        assertThat(dead).containsExactly("{\"id\":42}");
        assertThat(attempts).containsExactly(1, 2, 3);
        await().until(() -> stats("orders", "billing").inFlight() == 0);
        assertThat(stats("orders", "billing").depth()).isZero();
        assertThat(stats("orders", "billing").deferred()).isZero();
    }

    @Test
    void shouldDeadLetterAMessageArrivingWithMoreAttemptsThanAllowed() {
        AtomicInteger calls = new AtomicInteger();
        List<String> dead = collect("jobs-dlq", "inspect");
        bus.subscribe(
                "jobs",
                "workers",
                m -> {
                    calls.incrementAndGet();
                    m.takeControl(); // never answers: the message times out
                    return null;
                },
                SubscribeOptions.DEFAULT
                        .withMessageTimeout(Duration.ofSeconds(1))
                        .withDeadLetter(DeadLetter.after(1).to("jobs-dlq")));
        bus.publish("jobs", bytes("stuck"));
        await().until(() -> calls.get() == 1);
        clock.advance(Duration.ofSeconds(2));
        await().until(() -> dead.size() == 1);
        assertThat(dead).containsExactly("stuck");
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void shouldNameTheDefaultDeadLetterTopicBeforeTheEphemeralSuffix() {
        List<String> dead = collect("calls.dead#ephemeral", "inspect");
        bus.subscribe(
                "calls#ephemeral",
                "c",
                MessageHandler.of(m -> {
                    throw new IllegalStateException("always");
                }),
                SubscribeOptions.DEFAULT.withBackoff(NO_BACKOFF).withDeadLetter(DeadLetter.after(1)));
        bus.publish("calls#ephemeral", bytes("x"));
        await().until(() -> dead.contains("x"));
    }

    @Test
    void shouldRefuseADefaultDeadLetterTopicOverTheNameLimit() {
        String longest = "t".repeat(60);
        assertThatThrownBy(() -> bus.subscribe(
                        longest,
                        "c",
                        MessageHandler.of(m -> {}),
                        SubscribeOptions.DEFAULT.withDeadLetter(DeadLetter.after(2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(longest + ".dead")
                .hasMessageContaining("explicitly");
        bus.subscribe(
                        longest,
                        "c",
                        MessageHandler.of(m -> {}),
                        SubscribeOptions.DEFAULT.withDeadLetter(
                                DeadLetter.after(2).to("t.dead")))
                .close();
        assertThatThrownBy(() -> SubscribeOptions.DEFAULT
                        .withDeadLetter(DeadLetter.after(2))
                        .withAckMode(AckMode.IMMEDIATE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AFTER_HANDLER");
    }

    // ---- dead letters in the engine -------------------------------------------------------------

    @Test
    void shouldHonourTheChannelsDeadLetterSettingWhateverTheSubscriptionSays() {
        AtomicInteger calls = new AtomicInteger();
        bus.admin().createChannel("orders", "billing");
        bus.admin().setDeadLetter("orders", "billing", DeadLetter.after(2).to("orders.graveyard"));
        List<String> dead = collect("orders.graveyard", "inspect");
        bus.subscribe(
                "orders",
                "billing",
                MessageHandler.of(m -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("always");
                }),
                SubscribeOptions.DEFAULT.withBackoff(NO_BACKOFF));
        bus.publish("orders", bytes("poison"));
        await().until(() -> dead.size() == 1);
        assertThat(dead).containsExactly("poison");
        assertThat(calls.get()).isEqualTo(2);
        await().until(() -> stats("orders", "billing").deadLetterCount() == 1);
        assertThat(stats("orders", "billing").deadLetter()).isEqualTo(new DeadLetter(2, "orders.graveyard"));
    }

    // ---- event routing --------------------------------------------------------------------------

    @Test
    void shouldRouteConsumedEventsBySubscribingARouter() {
        List<String> ran = new CopyOnWriteArrayList<>();
        EventRouter router = EventRouter.builder()
                .on(
                        "presence-update",
                        (m, e) -> ran.add("presence-update " + e.get("From").asText()))
                .on("presence", (m, e) -> ran.add("presence"))
                .fallback((m, e) -> ran.add("fallback"))
                .build();
        bus.subscribe("events", "proxy", router);
        bus.publish("events", bytes("{\"Event-Type\":\"presence\",\"Event-Name\":\"update\",\"From\":\"alice\"}"));
        bus.publish("events", bytes("{\"Event-Type\":\"Presence\",\"Event-Name\":\"probe\"}"));
        bus.publish("events", bytes("{\"Event-Type\":\"dialog\"}"));
        await().until(() -> ran.size() == 3);
        assertThat(ran).containsExactly("presence-update alice", "presence", "fallback");
    }
}
