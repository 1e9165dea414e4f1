package dev.ferry.nsq.internal.client;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.Query;
import dev.ferry.SubscribeOptions;
import dev.ferry.TopicStats;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request/reply across two brokers that know nothing of each other: the asker listens on node A,
 * the responder consumes on node B (requests get there through a relay, as with nsq_to_nsq), and the
 * reply goes straight to A because the request names it ({@code Server-Node}).
 */
class QueryReplyRoutingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestBroker a;
    private TestBroker b;
    private final List<Bus> buses = new ArrayList<>();

    @BeforeEach
    void start() {
        a = new TestBroker(dir.resolve("a"));
        b = new TestBroker(dir.resolve("b"));
    }

    @AfterEach
    void stop() {
        buses.forEach(Bus::close);
        a.close();
        b.close();
    }

    private Bus connect(ConnectOptions.Builder options) {
        Bus bus = NsqBus.connect(
                options.socket(s -> s.reconnectBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200))))
                        .discovery(d -> d.lookupdPoll(Duration.ofMillis(100), 0.3))
                        .build());
        buses.add(bus);
        return bus;
    }

    /** A responder on B answering with the Server-Node its requests carry. */
    private Bus responderOnB() {
        Bus responder = connect(ConnectOptions.nsqd(b.tcpAddress()));
        responder.respond(
                "work",
                "responders",
                request -> JSON.createObjectNode()
                        .put("done", true)
                        .put("askerNode", request.path(Query.SERVER_NODE).asText("none"))
                        .put("replyTopic", request.path(Query.SERVER_ID).asText()));
        return responder;
    }

    /** Copies the requests published on A to B. */
    private void relayWorkFromAToB() {
        Bus toB = connect(ConnectOptions.nsqd(b.tcpAddress()));
        connect(ConnectOptions.nsqd(a.tcpAddress())).subscribe("work", "relay", m -> toB.publish("work", m.body()));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void shouldPublishTheReplyStraightToTheNodeTheAskerListensOn() {
        Bus responder = responderOnB();
        relayWorkFromAToB();
        Bus asker = connect(ConnectOptions.nsqd(a.tcpAddress()));

        JsonNode reply = parse(asker.query("work", "{}", Duration.ofSeconds(10)));

        assertThat(reply.get("done").asBoolean()).isTrue();
        assertThat(reply.get("askerNode").asText()).isEqualTo(a.tcpAddress());
        String replyTopic = reply.get("replyTopic").asText();
        assertThat(done(a.engine().stats(replyTopic))).isPresent();
        assertThat(done(b.engine().stats(replyTopic))).isEmpty();
        // the responder counts the reply once its publish is acknowledged, which may be after the
        // asker has it
        await().untilAsserted(() -> assertThat(responder.queryStats().replied()).isEqualTo(1));
        assertThat(asker.queryStats().answered()).isEqualTo(1);
    }

    @Test
    void shouldListenOnTheFirstNodeLookupdListsWhenGivenNoNsqdAddress() {
        responderOnB();
        relayWorkFromAToB();
        Bus asker = connect(ConnectOptions.lookupd(a.httpAddress()));

        for (int i = 0; i < 3; i++) {
            JsonNode reply = parse(asker.query("work", "{}", Duration.ofSeconds(10)));
            assertThat(reply.get("askerNode").asText()).isEqualTo(a.tcpAddress());
            assertThat(done(b.engine().stats(reply.get("replyTopic").asText()))).isEmpty();
        }
        assertThat(asker.queryStats().answered()).isEqualTo(3);
    }

    @Test
    void shouldHearPlainRespondersThatPublishTheReplyToTheirOwnNode() {
        // responders that ignore Server-Node, as any NSQ client may: the reply lands on B too, where
        // the asker's reply subscription finds it through lookupd
        for (TestBroker node : List.of(a, b)) {
            Bus plain = connect(ConnectOptions.nsqd(node.tcpAddress()));
            plain.subscribe("plain", "r", m -> {
                JsonNode request = parse(new String(m.body(), java.nio.charset.StandardCharsets.UTF_8));
                String reply = "{\"Msg-ID\":\"" + request.get(Query.MSG_ID).asText() + "\"}";
                plain.publish(
                        request.get(Query.SERVER_ID).asText(), reply.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            });
        }
        Bus asker = connect(ConnectOptions.lookupd(a.httpAddress(), b.httpAddress()));
        List<CompletableFuture<String>> replies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            replies.add(asker.queryAsync("plain", "{}", Duration.ofSeconds(10)));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .orTimeout(20, TimeUnit.SECONDS)
                .join();
        assertThat(asker.queryStats().answered()).isEqualTo(6);
    }

    @Test
    void shouldKeepTenThousandQueriesInFlightOverTwoNodes() {
        // the asker publishes to A and B in turn and listens on A; each node has its own responder
        Bus onA = connect(ConnectOptions.nsqd(a.tcpAddress()));
        Bus onB = connect(ConnectOptions.nsqd(b.tcpAddress()));
        for (Bus responder : List.of(onA, onB)) {
            responder.respond(
                    "bulk",
                    "r",
                    request -> JSON.createObjectNode()
                            .put("double", request.get("n").asInt() * 2),
                    SubscribeOptions.maxInFlight(64));
        }
        Bus asker = connect(ConnectOptions.nsqd(a.tcpAddress()).nsqd(b.tcpAddress()));
        int n = 10_000;
        List<CompletableFuture<String>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(asker.queryAsync("bulk", "{\"n\":" + i + "}", Duration.ofSeconds(30)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .orTimeout(60, TimeUnit.SECONDS)
                .join();
        for (int i = 0; i < n; i++) {
            assertThat(parse(futures.get(i).join()).get("double").asInt()).isEqualTo(2 * i);
        }
        await().until(() -> onA.queryStats().replied() + onB.queryStats().replied() == n);
        assertThat(onB.queryStats().replied()).isPositive();
        // the reply topic exists on B too (the asker subscribes it at every nsqd it was given), but
        // every reply went to A, the Server-Node
        assertThat(done(b.engine().stats()))
                .filteredOn(t -> t.name().startsWith(Query.REPLY_TOPIC_PREFIX))
                .extracting(TopicStats::messageCount)
                .containsExactly(0L);
        assertThat(asker.queryStats().answered()).isEqualTo(n);
        assertThat(asker.queryStats().inFlight()).isZero();
    }

    @Test
    void shouldFailTheQueryWhenLookupdCannotNameANode() {
        String nowhere = b.httpAddress();
        b.close();
        b = new TestBroker(dir.resolve("b2")); // for stop()
        Bus asker = connect(ConnectOptions.lookupd(nowhere).timeouts(t -> t.responseTimeout(Duration.ofSeconds(2))));
        assertThat(asker.queryAsync("work", "{}", Duration.ofSeconds(5)))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .withMessageContaining("lookupd");
    }

    @Test
    void shouldPublishAsUsualWhenTheServerNodeIsNotAnAddress() {
        Bus responder = connect(ConnectOptions.nsqd(a.tcpAddress()));
        responder.respond(
                "work", "responders", request -> JSON.createObjectNode().put("done", true));
        Bus asker = connect(ConnectOptions.nsqd(a.tcpAddress()));
        JsonNode reply = parse(asker.query("work", "{\"Server-Node\":\"not an address\"}", Duration.ofSeconds(10)));
        assertThat(reply.get("done").asBoolean()).isTrue();
    }

    @Test
    void shouldRecogniseHostAndPort() {
        assertThat(NsqReplyRouting.isHostPort("127.0.0.1:4150")).isTrue();
        assertThat(NsqReplyRouting.isHostPort("nsqd-1.example.com:4150")).isTrue();
        assertThat(NsqReplyRouting.isHostPort("[::1]:4150")).isTrue();
        assertThat(NsqReplyRouting.isHostPort("::1:4150")).isFalse();
        assertThat(NsqReplyRouting.isHostPort("host")).isFalse();
        assertThat(NsqReplyRouting.isHostPort("host:0")).isFalse();
        assertThat(NsqReplyRouting.isHostPort("host:99999")).isFalse();
        assertThat(NsqReplyRouting.isHostPort(":4150")).isFalse();
        assertThat(NsqReplyRouting.isHostPort("not an address:4150")).isFalse();
    }
}
