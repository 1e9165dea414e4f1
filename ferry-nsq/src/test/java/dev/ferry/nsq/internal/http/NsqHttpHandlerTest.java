package dev.ferry.nsq.internal.http;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.HttpRoute;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.server.ClientRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NsqHttpHandlerTest {
    private final LocalEngine engine =
            LocalEngine.open(EmbeddedEngineConfig.memory().build());
    private final ServerOptions options = new ServerOptions(
            100,
            1000,
            2500,
            java.time.Duration.ofSeconds(60),
            java.time.Duration.ofMinutes(15),
            java.time.Duration.ofHours(1),
            java.time.Duration.ofSeconds(30),
            java.time.Duration.ofSeconds(60),
            16384,
            java.time.Duration.ofMillis(250),
            java.time.Duration.ofMillis(25),
            java.time.Duration.ofSeconds(30),
            65536,
            6,
            true,
            true,
            "1.3.0",
            java.time.Clock.systemUTC());
    private final EmbeddedChannel channel = new EmbeddedChannel(new NsqHttpHandler(
            engine,
            options,
            Map.of(
                    "version",
                    "1.3.0",
                    "broadcast_address",
                    "node1",
                    "hostname",
                    "node1",
                    "tcp_port",
                    4150,
                    "http_port",
                    4151)));

    /** A response's status, body and headers. */
    record Reply(int status, String body, String nsqType, String allow) {}

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        engine.close();
    }

    private Reply call(HttpMethod method, String uri, byte[] body) {
        channel.writeInbound(
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(body)));
        channel.runPendingTasks();
        FullHttpResponse r = channel.readOutbound();
        try {
            return new Reply(
                    r.status().code(),
                    r.content().toString(StandardCharsets.UTF_8),
                    r.headers().get("X-NSQ-Content-Type"),
                    r.headers().get("Allow"));
        } finally {
            r.release();
        }
    }

    private Reply call(HttpMethod method, String uri, String body) {
        return call(method, uri, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldAnswerPingAndInfo() {
        Reply ping = call(HttpMethod.GET, "/ping", "");
        assertThat(ping).isEqualTo(new Reply(200, "OK", "nsq; version=1.0", null));
        assertThat(call(HttpMethod.GET, "/info", "").body()).contains("\"version\":\"1.3.0\"");
        assertThat(call(HttpMethod.GET, "/nothing", ""))
                .extracting(Reply::status, Reply::body)
                .containsExactly(404, "{\"message\":\"NOT_FOUND\"}");
        Reply wrong = call(HttpMethod.POST, "/ping", "");
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.body()).isEqualTo("{\"message\":\"METHOD_NOT_ALLOWED\"}");
        // nsqd 1.3 (httprouter 1.3): the path's methods and OPTIONS, sorted
        assertThat(wrong.allow()).isEqualTo("GET, OPTIONS");
    }

    @Test
    void shouldPublishWithNsqdsErrors() {
        assertThat(call(HttpMethod.POST, "/pub?topic=t", "hello"))
                .extracting(Reply::status, Reply::body)
                .containsExactly(200, "OK");
        assertThat(call(HttpMethod.POST, "/pub?topic=t&defer=5000", "later").status())
                .isEqualTo(200);
        assertThat(call(HttpMethod.POST, "/pub", "x").body()).isEqualTo("{\"message\":\"MISSING_ARG_TOPIC\"}");
        assertThat(call(HttpMethod.POST, "/pub?topic=bad!", "x").body()).isEqualTo("{\"message\":\"INVALID_TOPIC\"}");
        assertThat(call(HttpMethod.POST, "/pub?topic=t", "").body()).isEqualTo("{\"message\":\"MSG_EMPTY\"}");
        Reply big = call(HttpMethod.POST, "/pub?topic=t", "x".repeat(101));
        assertThat(big).extracting(Reply::status, Reply::body).containsExactly(413, "{\"message\":\"MSG_TOO_BIG\"}");
        assertThat(call(HttpMethod.POST, "/pub?topic=t&defer=3600001", "x").body())
                .isEqualTo("{\"message\":\"INVALID_DEFER\"}");
        assertThat(done(engine.stats("t")).orElseThrow().messageCount()).isEqualTo(2);
    }

    @Test
    void shouldPublishTextAndBinaryBatches() {
        assertThat(call(HttpMethod.POST, "/mpub?topic=t", "a\n\nb\nc\n").status())
                .isEqualTo(200);
        assertThat(done(engine.stats("t")).orElseThrow().messageCount()).isEqualTo(3);
        byte[] binary = ByteBuffer.allocate(4 + 5 + 6)
                .putInt(2)
                .putInt(1)
                .put((byte) 'x')
                .putInt(2)
                .put(new byte[] {'y', 'z'})
                .array();
        assertThat(call(HttpMethod.POST, "/mpub?topic=t&binary=true", binary).status())
                .isEqualTo(200);
        assertThat(done(engine.stats("t")).orElseThrow().messageCount()).isEqualTo(5);
        byte[] bad = ByteBuffer.allocate(4).putInt(0).array();
        assertThat(call(HttpMethod.POST, "/mpub?topic=t&binary=1", bad))
                .extracting(Reply::status, Reply::body)
                .containsExactly(413, "{\"message\":\"BAD_BODY\"}");
        assertThat(call(HttpMethod.POST, "/mpub?topic=t", "x".repeat(1001)).body())
                .isEqualTo("{\"message\":\"BODY_TOO_BIG\"}");
    }

    @Test
    void shouldAnswerOkToAnMpubWithoutMessagesAndCreateTheTopicAsNsqdDoes() {
        assertThat(call(HttpMethod.POST, "/mpub?topic=quiet", ""))
                .extracting(Reply::status, Reply::body)
                .containsExactly(200, "OK");
        assertThat(call(HttpMethod.POST, "/mpub?topic=blank", "\n\n"))
                .extracting(Reply::status, Reply::body)
                .containsExactly(200, "OK");
        assertThat(done(engine.stats("quiet")).orElseThrow().messageCount()).isZero();
        assertThat(done(engine.stats("blank")).orElseThrow().messageCount()).isZero();
        // a bad topic is still refused first, and a binary batch must still hold a message
        assertThat(call(HttpMethod.POST, "/mpub?topic=bad!", "").body()).isEqualTo("{\"message\":\"INVALID_TOPIC\"}");
        assertThat(call(HttpMethod.POST, "/mpub?topic=t&binary=true", new byte[4]))
                .extracting(Reply::status, Reply::body)
                .containsExactly(413, "{\"message\":\"BAD_BODY\"}");
    }

    @Test
    void shouldReportStatsInNsqdsShape() throws Exception {
        call(HttpMethod.POST, "/pub?topic=t", "hello");
        assertThat(call(HttpMethod.POST, "/channel/create?topic=t&channel=c", "")
                        .status())
                .isEqualTo(200);
        JsonNode stats = new ObjectMapper()
                .readTree(call(HttpMethod.GET, "/stats?format=json", "").body());
        assertThat(stats.get("health").asText()).isEqualTo("OK");
        assertThat(stats.get("producers").isNull()).isTrue();
        JsonNode topic = stats.get("topics").get(0);
        assertThat(topic.get("topic_name").asText()).isEqualTo("t");
        assertThat(topic.get("message_count").asLong()).isEqualTo(1);
        JsonNode channel = topic.get("channels").get(0);
        assertThat(channel.get("channel_name").asText()).isEqualTo("c");
        assertThat(channel.get("depth").asLong()).isEqualTo(1);
        // a memory engine keeps nothing on disk
        assertThat(channel.get("backend_depth").asLong()).isZero();
        assertThat(channel.has("in_flight_count")).isTrue();
        assertThat(stats.has("memory")).isTrue();
        assertThat(new ObjectMapper()
                        .readTree(call(HttpMethod.GET, "/stats?format=json&include_mem=false", "")
                                .body())
                        .has("memory"))
                .isFalse();
        assertThat(call(HttpMethod.GET, "/stats", "").body())
                .contains("[t")
                .contains("[c")
                .contains("depth: 1     be-depth: 0 ");
    }

    @Test
    void shouldAdministerTopicsAndChannels() {
        assertThat(call(HttpMethod.POST, "/topic/create?topic=t", "").status()).isEqualTo(200);
        assertThat(call(HttpMethod.POST, "/channel/create?topic=missing&channel=c", "")
                        .body())
                .isEqualTo("{\"message\":\"TOPIC_NOT_FOUND\"}");
        assertThat(call(HttpMethod.POST, "/channel/create?topic=t", "").body())
                .isEqualTo("{\"message\":\"MISSING_ARG_CHANNEL\"}");
        assertThat(call(HttpMethod.POST, "/channel/create?topic=t&channel=c", "")
                        .status())
                .isEqualTo(200);
        assertThat(call(HttpMethod.POST, "/channel/pause?topic=t&channel=c", "").status())
                .isEqualTo(200);
        assertThat(done(engine.stats("t")).orElseThrow().channels().get(0).paused())
                .isTrue();
        assertThat(call(HttpMethod.POST, "/channel/delete?topic=t&channel=nope", "")
                        .body())
                .isEqualTo("{\"message\":\"CHANNEL_NOT_FOUND\"}");
        assertThat(call(HttpMethod.POST, "/topic/pause?topic=t", "").status()).isEqualTo(200);
        assertThat(done(engine.stats("t")).orElseThrow().paused()).isTrue();
        assertThat(call(HttpMethod.POST, "/topic/delete?topic=t", "").status()).isEqualTo(200);
        assertThat(call(HttpMethod.POST, "/topic/delete?topic=t", ""))
                .extracting(Reply::status, Reply::body)
                .containsExactly(404, "{\"message\":\"TOPIC_NOT_FOUND\"}");
        assertThat(call(HttpMethod.POST, "/topic/create", "").body()).isEqualTo("{\"message\":\"MISSING_ARG_TOPIC\"}");
    }

    @Test
    void shouldAnswerLookupdQueriesForThisNode() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(call(HttpMethod.GET, "/lookup?topic=t", ""))
                .extracting(Reply::status, Reply::body)
                .containsExactly(404, "{\"message\":\"TOPIC_NOT_FOUND\"}");
        call(HttpMethod.POST, "/channel/create?topic=t&channel=c", "");
        call(HttpMethod.POST, "/topic/create?topic=t", "");
        call(HttpMethod.POST, "/channel/create?topic=t&channel=c", "");
        JsonNode lookup =
                json.readTree(call(HttpMethod.GET, "/lookup?topic=t", "").body());
        assertThat(lookup.get("channels").get(0).asText()).isEqualTo("c");
        JsonNode producer = lookup.get("producers").get(0);
        assertThat(producer.get("broadcast_address").asText()).isEqualTo("node1");
        assertThat(producer.get("tcp_port").asInt()).isEqualTo(4150);
        assertThat(producer.get("http_port").asInt()).isEqualTo(4151);
        assertThat(call(HttpMethod.GET, "/topics", "").body()).isEqualTo("{\"topics\":[\"t\"]}");
        assertThat(call(HttpMethod.GET, "/channels?topic=t", "").body()).isEqualTo("{\"channels\":[\"c\"]}");
        JsonNode nodes = json.readTree(call(HttpMethod.GET, "/nodes", "").body());
        assertThat(nodes.get("producers").get(0).get("topics").get(0).asText()).isEqualTo("t");
        assertThat(nodes.get("producers").get(0).get("tombstones").get(0).asBoolean())
                .isFalse();
    }

    @Test
    void shouldServeExtraRoutesOnTheirPathAndMethodOnly() {
        HttpRoute upper = new HttpRoute() {
            @Override
            public String path() {
                return "/upper";
            }

            @Override
            public String method() {
                return "POST";
            }

            @Override
            public java.util.Optional<String> authTopic() {
                return java.util.Optional.of("anything"); // no auth service: not checked
            }

            @Override
            public java.util.concurrent.CompletableFuture<Response> handle(Request request) {
                return java.util.concurrent.CompletableFuture.completedFuture(new Response(
                        201,
                        "text/plain",
                        new String(request.body(), StandardCharsets.UTF_8)
                                .toUpperCase(java.util.Locale.ROOT)
                                .getBytes(StandardCharsets.UTF_8)));
            }
        };
        EmbeddedChannel routed = new EmbeddedChannel(
                new NsqHttpHandler(engine, options, Map.of(), null, new ClientRegistry(), false, 0, List.of(upper)));
        try {
            routed.writeInbound(new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1,
                    HttpMethod.POST,
                    "/upper",
                    Unpooled.copiedBuffer("abc", StandardCharsets.UTF_8)));
            routed.runPendingTasks();
            FullHttpResponse r = routed.readOutbound();
            assertThat(r.status().code()).isEqualTo(201);
            assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("ABC");
            r.release();
            routed.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/upper"));
            routed.runPendingTasks();
            FullHttpResponse wrong = routed.readOutbound();
            assertThat(wrong.status().code()).isEqualTo(405);
            assertThat(wrong.headers().get("Allow")).isEqualTo("OPTIONS, POST");
            wrong.release();
        } finally {
            routed.finishAndReleaseAll();
        }
        HttpRoute ping = new HttpRoute() {
            @Override
            public String path() {
                return "/ping";
            }

            @Override
            public String method() {
                return "GET";
            }

            @Override
            public java.util.Optional<String> authTopic() {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.concurrent.CompletableFuture<Response> handle(Request request) {
                throw new UnsupportedOperationException();
            }
        };
        assertThatThrownBy(() -> new NsqHttpHandler(
                        engine, options, Map.of(), null, new ClientRegistry(), false, 0, List.of(ping)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HTTP route /ping would replace nsqd's endpoint");
    }
}
