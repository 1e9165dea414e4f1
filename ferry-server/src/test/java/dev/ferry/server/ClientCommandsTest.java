package dev.ferry.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ChannelStats;
import dev.ferry.TopicStats;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code ferry pub, sub, tail, produce, consume} against a real broker over TCP. */
class ClientCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final CliBroker broker = new CliBroker();

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void shouldPublishArgumentsAndPrintCountMessagesAsJson() throws Exception {
        CliBroker.Run pub = broker.run("pub", "orders", "one", "two", "three");
        assertThat(pub.code()).as(pub.err()).isZero();
        assertThat(pub.err()).contains("pub: 3 messages");

        CliBroker.Run sub = broker.run("sub", "orders", "--channel", "billing", "--count", "2", "--json");
        assertThat(sub.code()).as(sub.err()).isZero();
        assertThat(sub.lines()).hasSize(2);
        List<JsonNode> printed = new ArrayList<>();
        for (String line : sub.lines()) {
            printed.add(JSON.readTree(line));
        }
        assertThat(printed).extracting(n -> n.get("body").asText()).containsExactly("one", "two");
        assertThat(printed).allSatisfy(n -> {
            assertThat(n.get("id").asText()).matches("[0-9a-f]{16}");
            assertThat(n.get("attempts").asInt()).isEqualTo(1);
            assertThat(n.get("timestamp").asLong()).isGreaterThan(0);
        });
        // the third message stays on the channel for the next consumer
        await().atMost(WAIT)
                .until(() -> broker.channel("orders", "billing")
                        .map(c -> c.depth() == 1 && c.inFlight() == 0)
                        .orElse(false));
        CliBroker.Run rest = broker.run("sub", "orders", "--channel", "billing", "-n", "1");
        assertThat(rest.out()).isEqualTo("three\n");
    }

    @Test
    void shouldPublishTheLinesOfStandardInputInOrder() throws Exception {
        Process pub = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElseThrow(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Ferry.class.getName(),
                        "pub",
                        "--nsqd-tcp-address",
                        broker.tcpAddress(),
                        "lines")
                .redirectErrorStream(true)
                .start();
        try (OutputStream in = pub.getOutputStream()) {
            in.write("first\nsecond\n\nthird\n".getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pub.exitValue()).as(output).isZero();
        assertThat(output).contains("pub: 3 messages");

        CliBroker.Run sub = broker.run("sub", "lines", "--channel", "c", "--count", "3");
        assertThat(sub.lines()).as("the empty line is skipped").containsExactly("first", "second", "third");
    }

    @Test
    void shouldTailWhatIsPublishedFromNowThroughAnEphemeralChannel() {
        broker.publish("events", "before");
        done(broker.engine.createChannel("events", "keeper")); // takes "before", so tail starts from now
        CompletableFuture<CliBroker.Run> tail = broker.start("tail", "events", "--count", "1");
        await().atMost(WAIT)
                .until(() -> broker.topic("events").orElseThrow().channels().stream()
                        .anyMatch(c -> c.name().matches("tail\\d{6}#ephemeral") && c.consumers() == 1));
        broker.publish("events", "after");
        CliBroker.Run run = tail.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("after\n");
        // the broker drops the ephemeral channel once its consumer is gone
        await().atMost(WAIT)
                .until(() -> broker.topic("events").orElseThrow().channels().stream()
                        .map(ChannelStats::name)
                        .toList()
                        .equals(List.of("keeper")));
    }

    @Test
    void shouldShareTheStreamWithinAGroupAndGiveEveryGroupAllOfIt() {
        // consumers with an idle timeout: they exit once the stream is drained
        CompletableFuture<CliBroker.Run> a =
                broker.start("consume", "--topic", "stream", "--channel", "1", "--timeout", "3s");
        CompletableFuture<CliBroker.Run> b =
                broker.start("consume", "--topic", "stream", "--channel", "1", "--timeout", "3s");
        CompletableFuture<CliBroker.Run> other =
                broker.start("consume", "--topic", "stream", "--channel", "2", "--timeout", "3s");
        await().atMost(WAIT).until(() -> broker.consumers("stream", "1") == 2 && broker.consumers("stream", "2") == 1);
        String[] bodies = new String[20];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = "event-" + i;
        }
        broker.publish("stream", bodies);

        List<String> first =
                a.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join().lines();
        List<String> second =
                b.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join().lines();
        List<String> everything =
                other.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join().lines();
        assertThat(first).as("load-balanced within group 1").isNotEmpty();
        assertThat(second).as("load-balanced within group 1").isNotEmpty();
        List<String> group1 = new ArrayList<>(first);
        group1.addAll(second);
        assertThat(group1).as("group 1 shares the stream, each message once").containsExactlyInAnyOrder(bodies);
        assertThat(everything).as("group 2 gets all of it").containsExactly(bodies);
    }

    @Test
    void shouldExitAfterTheIdleTimeoutWithNothingToConsume() {
        long start = System.nanoTime();
        CliBroker.Run run = broker.start("consume", "--topic", "quiet", "--channel", "g", "--timeout", "1")
                .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
                .join();
        assertThat(run.code()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("no message for 1s, exiting");
    }

    @Test
    void shouldProduceJsonEventsWithThePayloadKeysFromEveryThreadAndReportTheRate() throws Exception {
        CliBroker.Run produce = broker.run(
                "produce",
                "--topic",
                "load",
                "--payload-keys",
                "10",
                "--threads",
                "2",
                "--interval",
                "50ms",
                "--count",
                "10",
                "--report-interval",
                "100ms");
        assertThat(produce.code()).as(produce.err()).isZero();
        assertThat(produce.err())
                .containsPattern("produce: \\d+ messages, [\\d.,]+/s over the last")
                .contains("produce: 10 messages in");
        TopicStats load = broker.topic("load").orElseThrow();
        assertThat(load.messageCount()).isEqualTo(10);

        CliBroker.Run consume = broker.run("consume", "--topic", "load", "--channel", "check", "--count", "10");
        List<JsonNode> events = new ArrayList<>();
        for (String line : consume.lines()) {
            events.add(JSON.readTree(line));
        }
        assertThat(events).hasSize(10);
        assertThat(events).extracting(e -> e.get("thread").asInt()).containsOnly(0, 1);
        assertThat(events)
                .extracting(e -> e.get("seq").asLong())
                .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(events).allSatisfy(e -> assertThat(e.get("payload").size()).isEqualTo(10));
        // about 100 bytes a key
        assertThat(consume.lines()).allSatisfy(l -> assertThat(l.length()).isBetween(1000, 1200));
    }

    @Test
    void shouldFailAnEventOverTheBrokersMaxMessageSizeSayingHowToRaiseIt() {
        try (CliBroker small = new CliBroker(CliBroker.maxMsgSize(10_000))) {
            CliBroker.Run produce = small.run("produce", "--topic", "big", "--payload-keys", "200", "--count", "1");
            assertThat(produce.code()).isEqualTo(Ferry.EXIT_FAILURE);
            assertThat(produce.err())
                    .contains("is over the broker's maximum message size of 10000 bytes")
                    .contains("ferry server --max-msg-size=");
            assertThat(small.topic("big").map(TopicStats::messageCount).orElse(0L))
                    .isZero();
        }
    }

    @Test
    void shouldPublishWhatTheBrokersLimitAllowsEvenOverTheClientsDefault() {
        int twoMiB = 2 << 20;
        // as ferry server --max-msg-size does: the protocol's limit and the engine's
        try (CliBroker big = new CliBroker(
                CliBroker.maxMsgSize(twoMiB),
                dev.ferry.EmbeddedEngineConfig.memory().maxMessageBytes(twoMiB).build())) {
            String message = "x".repeat((3 << 20) / 2); // 1.5 MiB: over the client's 1 MiB default
            CliBroker.Run pub = big.run("pub", "large", message);
            assertThat(pub.code()).as(pub.err()).isZero();
            assertThat(big.topic("large").orElseThrow().messageCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldFailAMessageOverTheBrokersLimitNamingTheFlagThatRaisesIt() {
        try (CliBroker small = new CliBroker(CliBroker.maxMsgSize(10_000))) {
            CliBroker.Run pub = small.run("pub", "big", "ok", "y".repeat(20_000));
            assertThat(pub.code()).isEqualTo(Ferry.EXIT_FAILURE);
            assertThat(pub.err())
                    .contains("pub to big failed after 1 messages")
                    .contains("a message of 20000 bytes is over the broker's maximum message size of 10000 bytes")
                    .contains("ferry server --max-msg-size=20000")
                    .doesNotContain("maxMessageSize");
            assertThat(small.topic("big").orElseThrow().messageCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldAnswerHelpAndTellUsageErrorsFromRuntimeFailures() {
        for (String command : List.of("pub", "sub", "tail", "produce", "consume", "query")) {
            CliBroker.Run help = CliBroker.execute(command, "--help");
            assertThat(help.code()).isZero();
            assertThat(help.out()).startsWith("Usage: ferry " + command).contains("--nsqd-tcp-address");
        }
        assertThat(CliBroker.execute("consume", "--topic", "t").code())
                .as("no --channel")
                .isEqualTo(2);
        assertThat(CliBroker.execute("consume", "--topic", "t", "--channel", "c", "--socket-activated")
                        .err())
                .contains("--socket-activated needs --timeout");
        assertThat(CliBroker.execute("sub", "bad name!", "--channel", "c").code())
                .isEqualTo(2);
        assertThat(CliBroker.execute("pub", "--nsqd-tcp-address", "nowhere", "t", "m")
                        .code())
                .isEqualTo(2);
        assertThat(CliBroker.execute("produce", "--topic", "t", "--threads", "0")
                        .code())
                .isEqualTo(2);

        CliBroker.Run unreachable = CliBroker.execute("pub", "--nsqd-tcp-address", "127.0.0.1:1", "t", "m");
        assertThat(unreachable.code()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(unreachable.err()).contains("pub to t failed after 0 messages");

        CliBroker.Run noSocket =
                CliBroker.execute("consume", "--topic", "t", "--channel", "c", "--socket-activated", "--timeout", "1s");
        assertThat(noSocket.code()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(noSocket.err()).contains("this process was given no listening socket");
    }

    @Test
    void shouldPrintTheReplyToAQueryAndFailWhenNoneComes() throws Exception {
        try (dev.ferry.Bus responder = dev.ferry.Bus.connect(broker.tcpAddress())) {
            responder.respond(
                    "lookup",
                    "service",
                    request -> JSON.createObjectNode()
                            .put("answer", request.get("q").asText().toUpperCase(java.util.Locale.ROOT)));
            await().atMost(WAIT).until(() -> broker.consumers("lookup", "service") == 1);
            CliBroker.Run query = broker.run("query", "lookup", "{\"q\":\"ferry\"}", "--timeout", "10s");
            assertThat(query.code()).as(query.err()).isZero();
            assertThat(JSON.readTree(query.out()).get("answer").asText()).isEqualTo("FERRY");
        }
        CliBroker.Run unanswered = broker.run("query", "nobody", "{}", "--timeout", "200ms");
        assertThat(unanswered.code()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(unanswered.out()).isEmpty();
        assertThat(CliBroker.execute("query", "lookup", "not json").code()).isEqualTo(2);
    }
}
