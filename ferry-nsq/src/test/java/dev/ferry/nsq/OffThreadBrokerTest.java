package dev.ferry.nsq;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.ChannelStats;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.testing.MutableClock;
import dev.ferry.testing.OffThreadEngine;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker over real sockets and an engine whose every stage completes later, on another thread
 * (as a remote engine's would): answers keep the order of the commands, expiry frees RDY slots, the
 * HTTP administration, {@code /stats} and lookup endpoints answer once the engine has, and no event
 * loop ever waits on an engine stage.
 */
class OffThreadBrokerTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();
    private OffThreadEngine engine;
    private NsqTcpServer server;
    private NsqTcpServer api;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        engine = new OffThreadEngine(
                LocalEngine.open(
                        EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(), clock),
                thread -> thread instanceof FastThreadLocalThread || OffThreadEngine.isLoopOrDispatchThread(thread));
        NsqTcpServer.Builder servers =
                NsqTcpServer.builder(engine).options(ServerOptions.defaults().withClock(clock));
        server = servers.startTcp("127.0.0.1", 0);
        api = servers.startHttp("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        api.close();
        server.close();
        engine.close();
        assertThat(engine.forbiddenWaits())
                .as("event loops that waited on an engine stage")
                .isEmpty();
    }

    private HttpResponse<String> http(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private ChannelStats channel(String topic) {
        return done(engine.stats(topic)).orElseThrow().channels().get(0);
    }

    @Test
    void shouldDeliverAndFinishWithStagesCompletedElsewhere() throws Exception {
        try (WireClient consumer = new WireClient(server.port());
                WireClient producer = new WireClient(server.port())) {
            assertThat(consumer.send("SUB events audit\nRDY 10\n", null)).isEqualTo("OK");
            assertThat(producer.send("PUB events\n", "hello")).isEqualTo("OK");

            WireClient.Frame message = consumer.read();
            assertThat(message.body()).isEqualTo("hello");
            assertThat(consumer.send("FIN " + message.messageId() + "\nNOP\nCLS\n", null))
                    .isEqualTo("CLOSE_WAIT");
            assertThat(channel("events").inFlight()).isZero();
            assertThat(channel("events").depth()).isZero();
        }
    }

    @Test
    void shouldAnswerInTheOrderOfTheCommandsWhenTheEngineAnswersLater() throws Exception {
        try (WireClient consumer = new WireClient(server.port());
                WireClient producer = new WireClient(server.port())) {
            assertThat(consumer.send("SUB events audit\nRDY 2\n", null)).isEqualTo("OK");
            producer.write("MPUB events\n", WireClient.mpub("a".getBytes(), "b".getBytes()));
            assertThat(producer.read().text()).isEqualTo("OK");
            WireClient.Frame first = consumer.read();
            WireClient.Frame second = consumer.read();

            // FIN then REQ of the same id: the REQ finds nothing in flight; then a TOUCH of the
            // other message, and a FIN of it twice; the answers come in the commands' order
            consumer.write(
                    "FIN " + first.messageId() + "\n"
                            + "REQ " + first.messageId() + " 0\n"
                            + "TOUCH " + second.messageId() + "\n"
                            + "FIN " + second.messageId() + "\n"
                            + "FIN " + second.messageId() + "\n"
                            + "CLS\n",
                    null);
            assertThat(consumer.read().text())
                    .isEqualTo("E_REQ_FAILED REQ " + first.messageId() + " failed ID not in flight");
            assertThat(consumer.read().text())
                    .isEqualTo("E_FIN_FAILED FIN " + second.messageId() + " failed ID not in flight");
            assertThat(consumer.read().text()).isEqualTo("CLOSE_WAIT");
            assertThat(channel("events").inFlight()).isZero();
            assertThat(channel("events").requeueCount()).isZero();
        }
    }

    @Test
    void shouldFreeTheSlotOfAnExpiredMessageAndRedeliverIt() throws Exception {
        try (WireClient consumer = new WireClient(server.port());
                WireClient producer = new WireClient(server.port())) {
            assertThat(consumer.send("IDENTIFY\n", "{\"msg_timeout\":1000}")).isEqualTo("OK");
            assertThat(consumer.send("SUB events audit\nRDY 1\n", null)).isEqualTo("OK");
            assertThat(producer.send("PUB events\n", "late")).isEqualTo("OK");
            WireClient.Frame first = consumer.read();
            assertThat(first.data()[9]).as("attempts").isEqualTo((byte) 1);

            clock.advance(Duration.ofMillis(1001));
            // with RDY 1 the redelivery comes to this client only once the engine told it of expiry
            WireClient.Frame again = consumer.read();
            assertThat(again.messageId()).isEqualTo(first.messageId());
            assertThat(again.data()[9]).as("attempts").isEqualTo((byte) 2);
            await().until(() -> channel("events").timeoutCount() == 1);

            assertThat(consumer.send("FIN " + first.messageId() + "\nCLS\n", null))
                    .isEqualTo("CLOSE_WAIT");
            assertThat(channel("events").inFlight()).isZero();
        }
    }

    @Test
    void shouldAdministerTopicsAndChannelsOverHttpWithStagesCompletedElsewhere() throws Exception {
        assertThat(http("POST", "/topic/create?topic=orders").statusCode()).isEqualTo(200);
        assertThat(http("POST", "/channel/create?topic=orders&channel=billing").statusCode())
                .isEqualTo(200);
        assertThat(http("POST", "/channel/pause?topic=orders&channel=billing").statusCode())
                .isEqualTo(200);
        assertThat(channel("orders").paused()).isTrue();
        assertThat(http("POST", "/topic/pause?topic=orders").statusCode()).isEqualTo(200);
        assertThat(done(engine.stats("orders")).orElseThrow().paused()).isTrue();

        HttpResponse<String> deadLetter =
                http("POST", "/channel/dead-letter?topic=orders&channel=billing&max_attempts=3");
        assertThat(deadLetter.statusCode()).isEqualTo(200);
        assertThat(deadLetter.body()).contains("\"dead_letter_topic\":\"orders.dead\"");
        assertThat(channel("orders").deadLetter().maxAttempts()).isEqualTo(3);

        HttpResponse<String> noChannel = http("POST", "/channel/empty?topic=orders&channel=nope");
        assertThat(noChannel.statusCode()).isEqualTo(404);
        assertThat(noChannel.body()).contains("CHANNEL_NOT_FOUND");
        HttpResponse<String> noTopic = http("POST", "/channel/create?topic=missing&channel=c");
        assertThat(noTopic.statusCode()).isEqualTo(404);
        assertThat(noTopic.body()).contains("TOPIC_NOT_FOUND");
        assertThat(http("POST", "/topic/delete?topic=missing").statusCode()).isEqualTo(404);

        assertThat(http("POST", "/channel/delete?topic=orders&channel=billing").statusCode())
                .isEqualTo(200);
        assertThat(http("POST", "/topic/delete?topic=orders").statusCode()).isEqualTo(200);
        assertThat(done(engine.stats("orders"))).isEmpty();
    }

    @Test
    void shouldAnswerStatsAndLookupsOverHttpWithStagesCompletedElsewhere() throws Exception {
        done(engine.createChannel("events", "audit"));

        HttpResponse<String> stats = http("GET", "/stats?format=json");
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.body()).contains("\"topic_name\":\"events\"").contains("\"channel_name\":\"audit\"");
        assertThat(http("GET", "/stats").body()).contains("[events");

        assertThat(http("GET", "/topics").body()).contains("\"events\"");
        assertThat(http("GET", "/channels?topic=events").body()).contains("\"audit\"");
        assertThat(http("GET", "/lookup?topic=events").body()).contains("\"audit\"");
        assertThat(http("GET", "/lookup?topic=missing").statusCode()).isEqualTo(404);
        assertThat(http("GET", "/nodes").body()).contains("\"events\"");
    }
}
