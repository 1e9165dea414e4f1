package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin page's cluster view ({@code GET /admin/nodes}) against a real lookupd on loopback. */
class AdminNodesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : started.reversed()) {
            c.close();
        }
    }

    private JsonNode nodes(int port) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/nodes"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldListTheNodesTheLookupdsKnowAndSayWhichLookupdDidNotAnswer() throws Exception {
        LookupdServer lookupd = LookupdServer.builder()
                .tcpAddress("127.0.0.1", 0)
                .httpAddress("127.0.0.1", 0)
                .broadcastAddress("127.0.0.1")
                .start();
        started.add(lookupd);
        LocalEngine engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        started.add(engine);
        String dead = "127.0.0.1:" + closedPort();
        NsqTcpServer api = NsqTcpServer.builder(engine)
                .lookupdHttpAddresses(List.of("127.0.0.1:" + lookupd.httpPort(), dead))
                .startHttp("127.0.0.1", 0);
        started.add(api);
        started.add(LookupdRegistration.builder(engine)
                .node("127.0.0.1", "broker-one", 4150, api.port())
                .lookupd("127.0.0.1", lookupd.tcpPort())
                .start());
        engine.createTopic("orders").toCompletableFuture().join();

        await().atMost(Duration.ofSeconds(20))
                .until(() -> nodes(api.port()).get("producers").size() == 1
                        && nodes(api.port())
                                .at("/producers/0/topics")
                                .toString()
                                .contains("orders"));

        JsonNode answer = nodes(api.port());
        JsonNode producer = answer.at("/producers/0");
        assertThat(producer.get("hostname").asText()).isEqualTo("broker-one");
        assertThat(producer.get("tcp_port").asInt()).isEqualTo(4150);
        assertThat(producer.get("http_port").asInt()).isEqualTo(api.port());
        assertThat(answer.at("/lookupds/0/address").asText()).isEqualTo("127.0.0.1:" + lookupd.httpPort());
        assertThat(answer.at("/lookupds/0/error").isNull()).isTrue();
        assertThat(answer.at("/lookupds/1/address").asText()).isEqualTo(dead);
        assertThat(answer.at("/lookupds/1/error").asText()).isEqualTo("refused the connection");
    }

    @Test
    void shouldAnswerAnEmptyClusterWithoutLookupds() throws Exception {
        LocalEngine engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        started.add(engine);
        NsqTcpServer api = NsqTcpServer.builder(engine).startHttp("127.0.0.1", 0);
        started.add(api);

        JsonNode answer = nodes(api.port());

        assertThat(answer.get("lookupds")).isEmpty();
        assertThat(answer.get("producers")).isEmpty();
    }

    @Test
    void shouldRefuseALookupdAddressWithoutAPort() {
        LocalEngine engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        started.add(engine);

        assertThatThrownBy(() -> NsqTcpServer.builder(engine).lookupdHttpAddresses(List.of("lookupd.example")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a lookupd HTTP address is host:port, got 'lookupd.example'");
    }
}
