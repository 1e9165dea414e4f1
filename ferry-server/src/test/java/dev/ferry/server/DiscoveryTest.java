package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code ferry server} processes registered with one {@code ferry lookupd} process: a Java
 * subscriber and an nsqjs Reader, given only the lookupd's HTTP address, read what is published to
 * either node, and a node stopped with SIGTERM leaves the lookupd's answers.
 */
class DiscoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "orders";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<FerryProcess> processes = new ArrayList<>();

    @BeforeAll
    static void installNsqjs() throws Exception {
        NsqjsInteropTest.installNsqjs();
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (FerryProcess p : processes.reversed()) {
            p.close();
        }
        http.close();
    }

    private FerryProcess ferry(String... args) throws Exception {
        FerryProcess p = FerryProcess.start(args);
        processes.add(p);
        return p;
    }

    private FerryProcess node(String name, FerryProcess lookupd) throws Exception {
        return ferry(
                "server",
                "--tcp-address=127.0.0.1:0",
                "--http-address=127.0.0.1:0",
                "--broadcast-address=127.0.0.1",
                "--data-path=" + dir.resolve(name),
                "--lookupd-tcp-address=127.0.0.1:" + lookupd.tcpPort());
    }

    private HttpResponse<String> request(String method, int port, String path, String body) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .method(method, HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void publish(FerryProcess node, String body) {
        HttpResponse<String> r = request("POST", node.httpPort(), "/pub?topic=" + TOPIC, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** The TCP ports of the producers lookupd lists for the topic. */
    private List<Integer> producers(FerryProcess lookupd) throws IOException {
        HttpResponse<String> r = request("GET", lookupd.httpPort(), "/lookup?topic=" + TOPIC, "");
        List<Integer> ports = new ArrayList<>();
        if (r.statusCode() == 200) {
            JSON.readTree(r.body())
                    .path("producers")
                    .forEach(p -> ports.add(p.get("tcp_port").asInt()));
        }
        return ports;
    }

    @Test
    void shouldLetClientsFindEveryNodeThroughLookupdAndForgetAStoppedNode() throws Exception {
        FerryProcess lookupd = ferry("lookupd", "--tcp-address=127.0.0.1:0", "--http-address=127.0.0.1:0");
        FerryProcess a = node("a", lookupd);
        FerryProcess b = node("b", lookupd);
        // both channels exist before the first message, so each gets every one (a channel made later
        // starts at the end of its topic, as in nsqd)
        for (FerryProcess node : List.of(a, b)) {
            assertThat(request("POST", node.httpPort(), "/topic/create?topic=" + TOPIC, "")
                            .statusCode())
                    .isEqualTo(200);
            for (String channel : List.of("java", "nsqjs")) {
                HttpResponse<String> r =
                        request("POST", node.httpPort(), "/channel/create?topic=" + TOPIC + "&channel=" + channel, "");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
        }
        for (int i = 0; i < 3; i++) {
            publish(a, "a-" + i);
            publish(b, "b-" + i);
        }
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(producers(lookupd)).containsExactlyInAnyOrder(a.tcpPort(), b.tcpPort()));
        JsonNode producer = JSON.readTree(request("GET", lookupd.httpPort(), "/lookup?topic=" + TOPIC, "")
                        .body())
                .path("producers")
                .get(0);
        assertThat(producer.get("broadcast_address").asText()).isEqualTo("127.0.0.1");
        assertThat(producer.get("http_port").asInt()).isIn(a.httpPort(), b.httpPort());

        Set<String> javaGot = ConcurrentHashMap.newKeySet();
        ConnectOptions options = ConnectOptions.lookupd("127.0.0.1:" + lookupd.httpPort())
                .discovery(d -> d.lookupdPoll(Duration.ofMillis(200), 0.1))
                .build();
        try (Bus bus = NsqBus.connect(options)) {
            // max in flight above the number of nodes, so each connection has RDY of its own at once
            Subscription sub = bus.subscribe(
                    TOPIC,
                    "java",
                    m -> {
                        javaGot.add(new String(m.body(), StandardCharsets.UTF_8));
                    },
                    SubscribeOptions.maxInFlight(10));
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() ->
                            assertThat(javaGot).containsExactlyInAnyOrder("a-0", "a-1", "a-2", "b-0", "b-1", "b-2"));
            publish(a, "a-later");
            publish(b, "b-later");
            await().atMost(Duration.ofSeconds(20)).until(() -> javaGot.containsAll(List.of("a-later", "b-later")));

            // nsqjs, on a channel of its own, gets every message too, from both nodes
            String output = NsqjsInteropTest.run(
                    List.of("node", "discovery.js", String.valueOf(lookupd.httpPort()), TOPIC, "nsqjs", "8"), 60);
            JsonNode result = JSON.readTree(output.lines()
                    .filter(l -> l.startsWith("{"))
                    .reduce((x, y) -> y)
                    .orElseThrow(() -> new AssertionError("no result from nsqjs: " + output)));
            assertThat(result.get("errors")).as(output).isEmpty();
            List<String> nsqjsGot = new ArrayList<>();
            result.get("bodies").forEach(n -> nsqjsGot.add(n.asText()));
            assertThat(nsqjsGot)
                    .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "a-later", "b-0", "b-1", "b-2", "b-later");
            sub.close();
        }

        // the nodes registered their channels
        JsonNode channels = JSON.readTree(request("GET", lookupd.httpPort(), "/channels?topic=" + TOPIC, "")
                .body());
        assertThat(channels.get("channels").toString()).contains("\"java\"", "\"nsqjs\"");

        assertThat(b.stop()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> producers(lookupd).equals(List.of(a.tcpPort())));
        HttpResponse<String> nodes = request("GET", lookupd.httpPort(), "/nodes", "");
        assertThat(JSON.readTree(nodes.body()).path("producers")).hasSize(1);
        assertThat(lookupd.stop()).isZero();
    }
}
