package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.AckMode;
import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.ChannelStats;
import dev.ferry.DeadLetter;
import dev.ferry.FerryException;
import dev.ferry.InvalidNameException;
import dev.ferry.Names;
import dev.ferry.Query;
import dev.ferry.QueryTimeoutException;
import dev.ferry.SubscribeOptions;
import dev.ferry.routing.EventRouter;
import dev.ferry.routing.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The patterns on top of the {@link Bus} API (ack modes, dead letters, event routing, request/reply),
 * written once against any bus: a subclass says how to open one whose
 * engine runs on the given clock. The embedded bus runs it ({@code EmbeddedBusPatternsTest}), and so
 * does the NSQ client against a broker on loopback ({@code NsqClientBusPatternsTest} in ferry-nsq).
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
        bus.subscribe(topic, channel, m -> got.add(text(m.body())), SubscribeOptions.maxInFlight(16));
        return got;
    }

    // ---- handler shapes ---------------------------------------------------------------------------

    @Test
    void shouldFinishWhenAVoidHandlerReturnsAndRequeueWhenItThrows() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        var sub = bus.subscribe(
                "t",
                "c",
                m -> {
                    attempts.add(m.attempts());
                    if (m.attempts() == 1) {
                        throw new IllegalStateException("first attempt fails on purpose");
                    }
                },
                SubscribeOptions.DEFAULT.withBackoff(NO_BACKOFF));
        bus.publish("t", bytes("m"));
        await().until(() -> attempts.size() == 2);
        await().until(() -> stats("t", "c").inFlight() == 0 && sub.inFlight() == 0);
        assertThat(attempts).containsExactly(1, 2);
        assertThat(stats("t", "c").requeueCount()).isEqualTo(1);
        assertThat(stats("t", "c").depth()).isZero();
        assertThat(stats("t", "c").deferred()).isZero();
    }

    @Test
    void shouldHoldAnAsyncMessagesSlotUntilItsStageCompletesThenFinishOrRequeueByIt() {
        Queue<CompletableFuture<Void>> stages = new ConcurrentLinkedQueue<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        var sub = bus.subscribeAsync(
                "t",
                "c",
                m -> {
                    seen.add(text(m.body()) + "#" + m.attempts());
                    CompletableFuture<Void> stage = new CompletableFuture<>();
                    stages.add(stage);
                    return stage;
                },
                SubscribeOptions.maxInFlight(1).withBackoff(NO_BACKOFF));
        bus.publish("t", List.of(bytes("a"), bytes("b")));
        await().until(() -> stages.size() == 1);
        // the handler has returned, but its message keeps the only slot: "b" must wait
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
        assertThat(sub.inFlight()).isEqualTo(1);
        assertThat(stats("t", "c").depth()).isEqualTo(1);

        stages.poll().complete(null); // "a" finished, "b" comes
        await().until(() -> stages.size() == 1 && seen.size() == 2);
        stages.poll().completeExceptionally(new IllegalStateException("async failure on purpose"));
        await().until(() -> stages.size() == 1 && seen.size() == 3); // "b" again
        stages.poll().complete(null);
        await().until(() -> stats("t", "c").inFlight() == 0 && sub.inFlight() == 0);
        assertThat(seen).containsExactly("a#1", "b#1", "b#2");
        assertThat(stats("t", "c").requeueCount()).isEqualTo(1);
        assertThat(stats("t", "c").depth()).isZero();
    }

    @Test
    void shouldRequeueWhenAnAsyncHandlerThrowsOrReturnsNoStage() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        bus.subscribeAsync(
                "t",
                "c",
                m -> {
                    attempts.add(m.attempts());
                    return switch (m.attempts()) {
                        case 1 -> throw new IllegalStateException("thrown before any stage, on purpose");
                        case 2 -> null;
                        default -> CompletableFuture.completedFuture("done");
                    };
                },
                SubscribeOptions.DEFAULT.withBackoff(NO_BACKOFF));
        bus.publish("t", bytes("m"));
        await().until(() -> attempts.size() == 3);
        await().until(() -> stats("t", "c").inFlight() == 0);
        assertThat(attempts).containsExactly(1, 2, 3);
        assertThat(stats("t", "c").requeueCount()).isEqualTo(2);
        assertThat(stats("t", "c").depth()).isZero();
    }

    @Test
    void shouldLeaveAnAsyncMessageUnderControlToItsHandlerWhateverItsStageSays() {
        Queue<dev.ferry.Message> held = new ConcurrentLinkedQueue<>();
        var sub = bus.subscribeAsync(
                "t",
                "c",
                m -> {
                    m.takeControl();
                    held.add(m);
                    return CompletableFuture.failedFuture(new IllegalStateException("ignored under control"));
                },
                SubscribeOptions.DEFAULT.withBackoff(NO_BACKOFF));
        bus.publish("t", bytes("m"));
        await().until(() -> held.size() == 1);
        assertThat(sub.inFlight()).isEqualTo(1);
        assertThat(stats("t", "c").requeueCount()).isZero();
        assertThat(held.poll().finish()).isTrue();
        await().until(() -> stats("t", "c").inFlight() == 0 && sub.inFlight() == 0);
        assertThat(stats("t", "c").requeueCount()).isZero();
        assertThat(stats("t", "c").depth()).isZero();
    }

    // ---- ack modes ------------------------------------------------------------------------------

    @Test
    void shouldFinishOnReceiptAndNeverRetryWithImmediateAckMode() {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        var sub = bus.subscribe(
                "t",
                "c",
                m -> {
                    calls.incrementAndGet();
                    release.await(10, TimeUnit.SECONDS);
                    throw new IllegalStateException("lost on purpose");
                },
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
                m -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    release.await(10, TimeUnit.SECONDS);
                    running.decrementAndGet();
                    done.incrementAndGet();
                },
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
                m -> {
                    attempts.add(m.attempts());
                    if (m.attempts() < 3) {
                        throw new IllegalStateException("not yet");
                    }
                },
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
                m -> {
                    attempts.add(m.attempts());
                    throw new IllegalStateException("cannot bill " + text(m.body()));
                },
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
                m -> {
                    throw new IllegalStateException("always");
                },
                SubscribeOptions.DEFAULT.withBackoff(NO_BACKOFF).withDeadLetter(DeadLetter.after(1)));
        bus.publish("calls#ephemeral", bytes("x"));
        await().until(() -> dead.contains("x"));
    }

    @Test
    void shouldRefuseADefaultDeadLetterTopicOverTheNameLimit() {
        String longest = "t".repeat(60);
        assertThatThrownBy(() -> bus.subscribe(
                        longest, "c", m -> {}, SubscribeOptions.DEFAULT.withDeadLetter(DeadLetter.after(2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(longest + ".dead")
                .hasMessageContaining("explicitly");
        bus.subscribe(
                        longest,
                        "c",
                        m -> {},
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
                m -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("always");
                },
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

    @Test
    void shouldFinishWhenARouteReturnsAndRequeueWhenItThrows() {
        List<String> ran = new CopyOnWriteArrayList<>();
        EventRouter router = EventRouter.builder()
                .on("presence", (m, e) -> {
                    ran.add("presence#" + m.attempts());
                    if (m.attempts() == 1) {
                        throw new IllegalStateException("first attempt fails on purpose");
                    }
                })
                .build();
        bus.subscribe("events", "proxy", router, SubscribeOptions.DEFAULT.withBackoff(NO_BACKOFF));
        bus.publish("events", bytes("{\"Event-Type\":\"presence\"}"));
        bus.publish("events", bytes("{\"Event-Type\":\"unrouted\"}")); // the default fallback finishes it
        await().until(() -> ran.size() == 2);
        await().until(() -> stats("events", "proxy").inFlight() == 0
                && stats("events", "proxy").depth() == 0);
        assertThat(ran).containsExactly("presence#1", "presence#2");
        assertThat(stats("events", "proxy").requeueCount()).isEqualTo(1);
    }

    // ---- request/reply --------------------------------------------------------------------------

    private static final ObjectMapper JSON = new ObjectMapper();

    protected static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldAnswerAQueryWithTheRepliesBody() {
        bus.respond("callevt", "responders", request -> {
            ObjectNode reply = JSON.createObjectNode();
            reply.put("Realm", request.get("Realm").asText());
            reply.putArray("Channels").addObject().put("switch_url", "sip:fs1@10.0.0.1");
            return reply;
        });
        String reply = bus.query("callevt", "{\"Event-Name\":\"query_user_channels_req\",\"Realm\":\"example.com\"}");
        assertThat(Json.path(reply, "Channels[0].switch_url")).contains("sip:fs1@10.0.0.1");
        assertThat(Json.path(reply, "Realm")).contains("example.com");
        assertThat(Json.path(reply, Query.MSG_ID)).isPresent();
        assertThat(bus.queryStats().answered()).isEqualTo(1);
        assertThat(bus.queryStats().inFlight()).isZero();
        await().until(() -> bus.queryStats().replied() == 1);
    }

    @Test
    void shouldAddMsgIdServerIdAndDeadlineUnlessPresent() {
        List<JsonNode> requests = new CopyOnWriteArrayList<>();
        bus.respond("q", "r", request -> {
            requests.add(request.deepCopy());
            return JSON.createObjectNode();
        });
        String reply = bus.query("q", "{\"a\":1}", Duration.ofMillis(1500));
        JsonNode first = requests.get(0);
        assertThat(first.get(Query.MSG_ID).asText())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        String serverId = first.get(Query.SERVER_ID).asText();
        assertThat(serverId).matches("ferry-reply-[0-9a-f]{16}#ephemeral");
        assertThat(Names.isValid(serverId)).isTrue();
        assertThat(first.get(Query.DEADLINE).asLong()).isEqualTo(clock.millis() + 1500);
        assertThat(first.get("a").asInt()).isEqualTo(1);
        assertThat(parse(reply).get(Query.MSG_ID).asText())
                .isEqualTo(first.get(Query.MSG_ID).asText());

        String again = bus.query("q", "{\"Msg-ID\":\"my-own-id\",\"Query-Deadline\":1}", Duration.ofSeconds(1));
        assertThat(requests.get(1).get(Query.MSG_ID).asText()).isEqualTo("my-own-id");
        assertThat(requests.get(1).get(Query.SERVER_ID).asText()).isEqualTo(serverId);
        assertThat(requests.get(1).get(Query.DEADLINE).asLong()).isEqualTo(clock.millis() + 1000);
        assertThat(parse(again).get(Query.MSG_ID).asText()).isEqualTo("my-own-id");
    }

    @Test
    void shouldTimeOutNamingTheTopicTheMsgIdAndTheTimeout() {
        bus.admin().createChannel("nobody-listens", "c");
        CompletableFuture<String> pending =
                bus.queryAsync("nobody-listens", "{\"Msg-ID\":\"abc-123\"}", Duration.ofMillis(500));
        CompletableFuture<String> blocking =
                CompletableFuture.supplyAsync(() -> bus.query("nobody-listens", "{\"Msg-ID\":\"def-456\"}"));
        await().until(() -> bus.queryStats().inFlight() == 2);
        clock.advance(Duration.ofMillis(499));
        assertThat(pending).isNotDone();
        clock.advance(Duration.ofMillis(1));
        await().until(pending::isDone);
        assertThat(pending)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(QueryTimeoutException.class)
                .withMessageContaining("nobody-listens")
                .withMessageContaining("abc-123")
                .withMessageContaining("500 ms");
        clock.advance(Duration.ofMillis(1500));
        await().until(blocking::isDone);
        assertThat(blocking)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOfSatisfying(QueryTimeoutException.class, e -> {
                    assertThat(e.msgId()).isEqualTo("def-456");
                    assertThat(e.topic()).isEqualTo("nobody-listens");
                    assertThat(e.timeout()).isEqualTo(Query.DEFAULT_TIMEOUT);
                });
        assertThat(bus.queryStats().timedOut()).isEqualTo(2);
        assertThat(bus.queryStats().inFlight()).isZero();
    }

    @Test
    void shouldDropAndCountLateAndUnknownReplies() {
        List<JsonNode> requests = new CopyOnWriteArrayList<>();
        bus.subscribe("slow", "c", m -> requests.add(parse(text(m.body()))));
        CompletableFuture<String> q = bus.queryAsync("slow", "{}", Duration.ofMillis(100));
        await().until(() -> requests.size() == 1);
        clock.advance(Duration.ofMillis(100));
        await().until(q::isDone);
        String serverId = requests.get(0).get(Query.SERVER_ID).asText();
        String msgId = requests.get(0).get(Query.MSG_ID).asText();
        bus.publish(serverId, bytes("{\"Msg-ID\":\"" + msgId + "\"}"));
        await().until(() -> bus.queryStats().lateReplies() == 1);
        bus.publish(serverId, bytes("{\"Msg-ID\":\"never-asked\"}"));
        bus.publish(serverId, bytes("not json"));
        bus.publish(serverId, bytes("{\"no\":\"id\"}"));
        await().until(() -> bus.queryStats().unknownReplies() == 3);
        assertThat(bus.queryStats().answered()).isZero();
        assertThat(bus.queryStats().lateReplies()).isEqualTo(1);
    }

    @Test
    void shouldCompleteFromAReplyAnyClientPublishesToTheServerId() {
        bus.subscribe("plain", "c", m -> {
            JsonNode request = parse(text(m.body()));
            String reply = "{\"Msg-ID\":\"" + request.get(Query.MSG_ID).asText() + "\",\"ok\":true}";
            bus.publish(request.get(Query.SERVER_ID).asText(), bytes(reply));
        });
        assertThat(Json.path(bus.query("plain", "{}", Duration.ofSeconds(5)), "ok"))
                .contains("true");
    }

    @Test
    void shouldSkipRequestsWhoseAskerGaveUp() {
        bus.admin().createChannel("late-work", "r");
        CompletableFuture<String> q = bus.queryAsync("late-work", "{}", Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        await().until(q::isDone);
        clock.advance(Duration.ofMillis(1));
        AtomicInteger calls = new AtomicInteger();
        bus.respond("late-work", "r", request -> {
            calls.incrementAndGet();
            return JSON.createObjectNode();
        });
        await().until(() -> bus.queryStats().expiredRequests() == 1);
        await().until(() -> stats("late-work", "r").inFlight() == 0);
        assertThat(calls.get()).isZero();
        assertThat(stats("late-work", "r").depth()).isZero();
    }

    @Test
    void shouldRequeueARequestWhenTheResponderThrows() {
        AtomicInteger calls = new AtomicInteger();
        bus.respond(
                "flaky",
                "r",
                request -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("first try fails");
                    }
                    return JSON.createObjectNode().put("try", calls.get());
                },
                SubscribeOptions.DEFAULT.withBackoff(NO_BACKOFF));
        assertThat(Json.path(bus.query("flaky", "{}", Duration.ofSeconds(5)), "try"))
                .contains("2");
    }

    @Test
    void shouldRefuseARequestThatIsNotAJsonObject() {
        assertThat(bus.queryAsync("q", "[1,2]", Duration.ofSeconds(1)))
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(IllegalArgumentException.class)
                .withMessageContaining("JSON object");
        assertThatThrownBy(() -> bus.query("q", "nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bus.query("bad name!", "{}")).isInstanceOf(InvalidNameException.class);
    }

    @Test
    void shouldKeepTenThousandQueriesInFlightFromOneClient() {
        int n = 10_000;
        List<CompletableFuture<String>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(bus.queryAsync("bulk", "{\"n\":" + i + "}", Duration.ofSeconds(30)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> bus.queryStats().sent() == n);
        assertThat(bus.queryStats().inFlight()).isEqualTo(n);
        bus.respond(
                "bulk",
                "r",
                request ->
                        JSON.createObjectNode().put("double", request.get("n").asInt() * 2),
                SubscribeOptions.maxInFlight(64));
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .orTimeout(60, TimeUnit.SECONDS)
                .join();
        for (int i = 0; i < n; i++) {
            assertThat(parse(futures.get(i).join()).get("double").asInt()).isEqualTo(2 * i);
        }
        assertThat(bus.queryStats().answered()).isEqualTo(n);
        assertThat(bus.queryStats().inFlight()).isZero();
    }

    @Test
    void shouldRefuseADuplicateMsgIdAndFailWaitingQueriesWhenTheBusCloses() {
        bus.admin().createChannel("void", "c");
        CompletableFuture<String> first = bus.queryAsync("void", "{\"Msg-ID\":\"same\"}", Duration.ofSeconds(5));
        assertThat(bus.queryAsync("void", "{\"Msg-ID\":\"same\"}", Duration.ofSeconds(5)))
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(IllegalArgumentException.class)
                .withMessageContaining("same")
                .withMessageContaining("already waiting");
        bus.close();
        assertThat(first)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(FerryException.class)
                .withMessageContaining("closed")
                .withMessageContaining("same");
        assertThatThrownBy(() -> bus.query("void", "{}")).isInstanceOf(FerryException.class);
    }
}
