package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.testing.MutableClock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /query} and the engine's dead-letter setting over a real broker on loopback. */
class QueryAndDeadLetterHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalEngine engine;
    private NsqTcpServer tcp;
    private NsqTcpServer api;

    @BeforeEach
    void start() {
        startBroker();
    }

    private void startBroker() {
        engine = LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(), clock);
        ServerOptions options = ServerOptions.defaults().withClock(clock);
        NsqTcpServer.Builder servers = NsqTcpServer.builder(engine).options(options);
        tcp = servers.startTcp("127.0.0.1", 0);
        api = servers.startHttp("127.0.0.1", 0);
    }

    @AfterEach
    void stopBroker() {
        api.close();
        tcp.close();
        engine.close();
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) {
        return postAsync(path, body).join();
    }

    private JsonNode stats() throws IOException {
        HttpResponse<String> r = http.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/stats?format=json"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .join();
        return JSON.readTree(r.body());
    }

    private JsonNode channelStats(String topic, String channel) throws IOException {
        for (JsonNode t : stats().get("topics")) {
            if (t.get("topic_name").asText().equals(topic)) {
                for (JsonNode c : t.get("channels")) {
                    if (c.get("channel_name").asText().equals(channel)) {
                        return c;
                    }
                }
            }
        }
        throw new AssertionError("no channel " + topic + "/" + channel + " in /stats");
    }

    /** A plain NSQ protocol connection: what any NSQ client does, by hand. */
    private final class NsqConnection implements AutoCloseable {
        final Socket socket;
        final DataOutputStream out;
        final DataInputStream in;

        NsqConnection() throws IOException {
            socket = new Socket("127.0.0.1", tcp.port());
            out = new DataOutputStream(socket.getOutputStream());
            in = new DataInputStream(socket.getInputStream());
            out.write("  V2".getBytes(StandardCharsets.US_ASCII));
        }

        void send(String line, byte[] body) throws IOException {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.writeInt(body.length);
                out.write(body);
            }
            out.flush();
        }

        /** Reads frames until one of {@code type} (0 response, 2 message); returns its data. */
        byte[] next(int type) throws IOException {
            while (true) {
                int size = in.readInt();
                int t = in.readInt();
                byte[] data = new byte[size - 4];
                in.readFully(data);
                if (t == type) {
                    return data;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String messageId(byte[] frame) {
        return new String(frame, 10, 16, StandardCharsets.US_ASCII);
    }

    private static int attempts(byte[] frame) {
        return ((frame[8] & 0xff) << 8) | (frame[9] & 0xff);
    }

    private static String body(byte[] frame) {
        return new String(frame, 26, frame.length - 26, StandardCharsets.UTF_8);
    }

    // ---- /query ---------------------------------------------------------------------------------

    @Test
    void shouldAnswerAnHttpQueryWithTheReplyOfAPlainNsqResponder() throws Exception {
        try (NsqConnection consumer = new NsqConnection();
                NsqConnection producer = new NsqConnection()) {
            consumer.send("SUB callevt responders\nRDY 1\n", null);
            assertThat(new String(consumer.next(0), StandardCharsets.UTF_8)).isEqualTo("OK");
            CompletableFuture<HttpResponse<String>> answer =
                    postAsync("/query?topic=callevt&timeout=10000", "{\"Realm\":\"example.com\"}");
            byte[] message = consumer.next(2);
            JsonNode request = JSON.readTree(body(message));
            assertThat(request.get("Realm").asText()).isEqualTo("example.com");
            String reply = "{\"Msg-ID\":\"" + request.get("Msg-ID").asText()
                    + "\",\"Channels\":[{\"switch_url\":\"sip:fs1@10.0.0.1\"}]}";
            producer.send("PUB " + request.get("Server-ID").asText() + "\n", reply.getBytes(StandardCharsets.UTF_8));
            assertThat(new String(producer.next(0), StandardCharsets.UTF_8)).isEqualTo("OK");
            consumer.send("FIN " + messageId(message) + "\n", null);
            HttpResponse<String> r = answer.join();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(JSON.readTree(r.body()).at("/Channels/0/switch_url").asText())
                    .isEqualTo("sip:fs1@10.0.0.1");
        }
    }

    @Test
    void shouldAnswer504WithAJsonErrorWhenNoReplyComes() throws Exception {
        post("/topic/create?topic=void", "");
        post("/channel/create?topic=void&channel=c", "");
        CompletableFuture<HttpResponse<String>> answer =
                postAsync("/query?topic=void&timeout=300", "{\"Msg-ID\":\"q-1\"}");
        await().until(() -> channelStats("void", "c").get("depth").asLong() == 1);
        clock.advance(Duration.ofMillis(300));
        HttpResponse<String> r = answer.join();
        assertThat(r.statusCode()).isEqualTo(504);
        JsonNode error = JSON.readTree(r.body());
        assertThat(error.get("message").asText()).isEqualTo("QUERY_TIMEOUT");
        assertThat(error.get("topic").asText()).isEqualTo("void");
        assertThat(error.get("msg_id").asText()).isEqualTo("q-1");
        assertThat(error.get("timeout_ms").asLong()).isEqualTo(300);
    }

    @Test
    void shouldRefuseBadQueriesInNsqdsStyle() {
        assertThat(post("/query", "{}").body()).isEqualTo("{\"message\":\"MISSING_ARG_TOPIC\"}");
        assertThat(post("/query?topic=bad!", "{}").body()).isEqualTo("{\"message\":\"INVALID_TOPIC\"}");
        assertThat(post("/query?topic=t&timeout=0", "{}").body()).isEqualTo("{\"message\":\"INVALID_TIMEOUT\"}");
        assertThat(post("/query?topic=t&timeout=soon", "{}").body()).isEqualTo("{\"message\":\"INVALID_TIMEOUT\"}");
        assertThat(post("/query?topic=t", "").body()).isEqualTo("{\"message\":\"MSG_EMPTY\"}");
        HttpResponse<String> notObject = post("/query?topic=t", "[1]");
        assertThat(notObject.statusCode()).isEqualTo(400);
        assertThat(notObject.body()).isEqualTo("{\"message\":\"INVALID_BODY\"}");
        assertThat(http.sendAsync(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/query?topic=t"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .join()
                        .statusCode())
                .isEqualTo(405);
    }

    // ---- dead letters ---------------------------------------------------------------------------

    @Test
    void shouldDeadLetterForAnyNsqClientAndKeepTheSettingAcrossARestart() throws Exception {
        post("/topic/create?topic=orders", "");
        assertThat(post("/channel/create?topic=orders&channel=billing", "").statusCode())
                .isEqualTo(200);
        HttpResponse<String> set = post("/channel/dead-letter?topic=orders&channel=billing&max_attempts=2", "");
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(set.body()))
                .isEqualTo(JSON.readTree("{\"max_attempts\":2,\"dead_letter_topic\":\"orders.dead\"}"));

        stopBroker();
        startBroker();

        JsonNode billing = channelStats("orders", "billing");
        assertThat(billing.get("dead_letter_max_attempts").asInt()).isEqualTo(2);
        assertThat(billing.get("dead_letter_topic").asText()).isEqualTo("orders.dead");
        try (NsqConnection consumer = new NsqConnection()) {
            assertThat(post("/pub?topic=orders", "poison").statusCode()).isEqualTo(200);
            consumer.send("SUB orders billing\nRDY 5\n", null);
            assertThat(new String(consumer.next(0), StandardCharsets.UTF_8)).isEqualTo("OK");
            for (int attempt = 1; attempt <= 2; attempt++) {
                byte[] m = consumer.next(2);
                assertThat(body(m)).isEqualTo("poison");
                assertThat(attempts(m)).isEqualTo(attempt);
                consumer.send("REQ " + messageId(m) + " 0\n", null);
            }
            await().until(() ->
                    channelStats("orders", "billing").get("dead_letter_count").asLong() == 1);
        }
        JsonNode dead = null;
        for (JsonNode t : stats().get("topics")) {
            if (t.get("topic_name").asText().equals("orders.dead")) {
                dead = t;
            }
        }
        assertThat(dead).isNotNull();
        assertThat(dead.get("message_count").asLong()).isEqualTo(1);
        assertThat(channelStats("orders", "billing").get("depth").asLong()).isZero();
        assertThat(channelStats("orders", "billing").get("in_flight_count").asLong())
                .isZero();
    }

    @Test
    void shouldRefuseDeadLetterSettingsItCannotHonour() {
        String longest = "t".repeat(60);
        post("/topic/create?topic=" + longest, "");
        post("/channel/create?topic=" + longest + "&channel=c", "");
        HttpResponse<String> tooLong = post("/channel/dead-letter?topic=" + longest + "&channel=c&max_attempts=3", "");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).isEqualTo("{\"message\":\"DEAD_LETTER_TOPIC_REQUIRED\"}");
        assertThat(post(
                                "/channel/dead-letter?topic=" + longest
                                        + "&channel=c&max_attempts=3&dead_letter_topic=short.dead",
                                "")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/channel/dead-letter?topic=" + longest + "&channel=c", "")
                        .body())
                .isEqualTo("{\"message\":\"MISSING_ARG_MAX_ATTEMPTS\"}");
        assertThat(post("/channel/dead-letter?topic=" + longest + "&channel=c&max_attempts=x", "")
                        .body())
                .isEqualTo("{\"message\":\"INVALID_MAX_ATTEMPTS\"}");
        assertThat(post("/channel/dead-letter?topic=" + longest + "&channel=c&max_attempts=2&dead_letter_topic=b!", "")
                        .body())
                .isEqualTo("{\"message\":\"INVALID_DEAD_LETTER_TOPIC\"}");
        HttpResponse<String> missing =
                post("/channel/dead-letter?topic=" + longest + "&channel=nope&max_attempts=2&dead_letter_topic=d", "");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"message\":\"CHANNEL_NOT_FOUND\"}");
        HttpResponse<String> cleared = post("/channel/dead-letter?topic=" + longest + "&channel=c&max_attempts=0", "");
        assertThat(cleared.body()).isEqualTo("{\"max_attempts\":0,\"dead_letter_topic\":null}");
    }
}
