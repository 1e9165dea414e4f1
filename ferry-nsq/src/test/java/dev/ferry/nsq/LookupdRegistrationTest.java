package dev.ferry.nsq;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.spi.Engine;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import dev.ferry.testing.OffThreadEngine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A broker's engine registering with a {@link LookupdServer}, both in this JVM, over real sockets. */
class LookupdRegistrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final MutableClock clock = MutableClock.start();
    private final LocalEngine engine =
            LocalEngine.open(EmbeddedEngineConfig.memory().build());
    private final List<AutoCloseable> started = new ArrayList<>();
    private LookupdServer lookupd = startLookupd(0, 0);

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : started.reversed()) {
            c.close();
        }
        engine.close();
        http.close();
    }

    private LookupdServer startLookupd(int tcpPort, int httpPort) {
        LookupdServer server = LookupdServer.builder()
                .tcpAddress("127.0.0.1", tcpPort)
                .httpAddress("127.0.0.1", httpPort)
                .broadcastAddress("127.0.0.1")
                .clock(clock)
                .start();
        started.add(server);
        return server;
    }

    private LookupdRegistration register(Engine broker, int tcpPort) {
        LookupdRegistration registration = LookupdRegistration.builder(broker)
                .node("127.0.0.1", "broker-" + tcpPort, tcpPort, tcpPort + 1)
                .lookupd("127.0.0.1", lookupd.tcpPort())
                .pingInterval(Duration.ofMillis(200))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .start();
        started.add(registration);
        return registration;
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lookupd.httpPort() + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return r.statusCode() == 404 ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private List<Integer> producerPorts(String topic) {
        JsonNode producers = get("/lookup?topic=" + topic).path("producers");
        List<Integer> ports = new ArrayList<>();
        producers.forEach(p -> ports.add(p.get("tcp_port").asInt()));
        return ports;
    }

    private List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    @Test
    void shouldRegisterTheTopicsAndChannelsThatExistAndThoseCreatedLater() {
        done(engine.createChannel("old", "c"));
        done(engine.createTopic("bare"));
        register(engine, 5000);
        await().untilAsserted(() -> {
            assertThat(producerPorts("old")).containsExactly(5000);
            assertThat(producerPorts("bare")).containsExactly(5000);
        });
        assertThat(names(get("/channels?topic=old").path("channels"))).containsExactly("c");

        engine.append("fresh", List.of(PublishRecord.of(new byte[] {1}))).join();
        done(engine.createChannel("fresh", "d"));
        await().untilAsserted(() -> {
            assertThat(producerPorts("fresh")).containsExactly(5000);
            assertThat(names(get("/channels?topic=fresh").path("channels"))).containsExactly("d");
        });
        JsonNode node = get("/nodes").path("producers").get(0);
        assertThat(node.get("hostname").asText()).isEqualTo("broker-5000");
        assertThat(node.get("http_port").asInt()).isEqualTo(5001);
        assertThat(names(node.get("topics"))).containsExactly("bare", "fresh", "old");
    }

    @Test
    void shouldRegisterOverAnEngineThatAnswersItsStatisticsLater() {
        OffThreadEngine later = new OffThreadEngine(engine);
        started.add(later); // closed after the registration; closing the engine twice is harmless
        done(later.createChannel("old", "c"));
        register(later, 5000);
        await().untilAsserted(() -> assertThat(producerPorts("old")).containsExactly(5000));
        // a change told while connected still reaches the lookupd, after the first registrations
        done(later.createChannel("fresh", "d"));
        await().untilAsserted(() ->
                assertThat(names(get("/channels?topic=fresh").path("channels"))).containsExactly("d"));
        assertThat(later.forbiddenWaits())
                .as("event loops that waited on an engine stage")
                .isEmpty();
    }

    @Test
    void shouldUnregisterWhatIsDeleted() {
        done(engine.createChannel("t", "c"));
        register(engine, 5000);
        await().until(() -> producerPorts("t").equals(List.of(5000)));

        Engine.Registration consumer = engine.register("t", "tail#ephemeral", () -> {});
        await().until(() -> names(get("/channels?topic=t").path("channels")).contains("tail#ephemeral"));
        consumer.close();
        await().until(() -> !names(get("/channels?topic=t").path("channels")).contains("tail#ephemeral"));

        done(engine.deleteTopic("t"));
        // the topic stays known to the lookupd, with no producer left, as with nsqlookupd
        await().until(() -> producerPorts("t").isEmpty());
        assertThat(names(get("/topics").path("topics"))).contains("t");
    }

    @Test
    void shouldListEveryBrokerOfATopicAndDropOneThatStops() {
        LocalEngine other = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        try {
            done(engine.createTopic("shared"));
            done(other.createTopic("shared"));
            register(engine, 5000);
            LookupdRegistration second = register(other, 6000);
            await().until(() -> producerPorts("shared").size() == 2);
            assertThat(producerPorts("shared")).containsExactlyInAnyOrder(5000, 6000);

            second.close();
            await().until(() -> producerPorts("shared").equals(List.of(5000)));
            assertThat(get("/nodes").path("producers")).hasSize(1);
        } finally {
            other.close();
        }
    }

    @Test
    void shouldRegisterEverythingAgainWhenTheLookupdComesBack() {
        done(engine.createChannel("t", "c"));
        register(engine, 5000);
        await().until(() -> producerPorts("t").equals(List.of(5000)));

        int tcp = lookupd.tcpPort();
        int httpPort = lookupd.httpPort();
        lookupd.close();
        started.remove(lookupd);
        done(engine.createChannel("while-down", "c"));
        lookupd = startLookupd(tcp, httpPort);

        await().untilAsserted(() -> {
            assertThat(producerPorts("t")).containsExactly(5000);
            assertThat(producerPorts("while-down")).containsExactly(5000);
        });
    }

    @Test
    void shouldStopListingABrokerThatStopsPingingAfterTheInactiveProducerTimeout() {
        done(engine.createTopic("t"));
        LookupdRegistration registration = LookupdRegistration.builder(engine)
                .node("127.0.0.1", "quiet", 5000, 5001)
                .lookupd("127.0.0.1", lookupd.tcpPort())
                .pingInterval(Duration.ofHours(1))
                .start();
        started.add(registration);
        await().until(() -> producerPorts("t").equals(List.of(5000)));

        clock.advance(Duration.ofSeconds(300));
        assertThat(producerPorts("t")).containsExactly(5000);
        clock.advance(Duration.ofSeconds(1));
        assertThat(producerPorts("t")).isEmpty();
        assertThat(get("/nodes").path("producers")).isEmpty();
    }

    @Test
    void shouldKeepListingABrokerThatPings() {
        done(engine.createTopic("t"));
        register(engine, 5000);
        await().until(() -> producerPorts("t").equals(List.of(5000)));
        // each PING (every 200 ms here) refreshes the broker: once one came after the clock moved, it is listed again
        clock.advance(Duration.ofSeconds(301));
        await().until(() -> producerPorts("t").equals(List.of(5000)));
    }
}
