package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /stats} lists the TCP clients: consumers under their channel, publishers as producers. */
class ClientStatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String get(int port, String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void shouldListConsumersPerChannelAndProducersWithTheirCounts() throws Exception {
        try (LocalEngine engine = LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build())) {
            // one builder: the HTTP server lists the clients of the TCP server
            NsqTcpServer.Builder servers = NsqTcpServer.builder(engine);
            try (NsqTcpServer tcp = servers.startTcp("127.0.0.1", 0);
                    NsqTcpServer web = servers.startHttp("127.0.0.1", 0);
                    WireClient consumer = new WireClient(tcp.port());
                    WireClient producer = new WireClient(tcp.port())) {
                assertThat(consumer.send(
                                "IDENTIFY\n",
                                "{\"client_id\":\"worker-1\",\"hostname\":\"box\",\"user_agent\":\"test/1.0\"}"))
                        .isEqualTo("OK");
                assertThat(consumer.send("SUB events audit\nRDY 5\n", null)).isEqualTo("OK");
                assertThat(producer.send("PUB events\n", "one")).isEqualTo("OK");
                producer.write("MPUB events\n", WireClient.mpub(utf8("two"), utf8("three")));
                assertThat(producer.read().text()).isEqualTo("OK");
                consumer.write("FIN " + consumer.read().messageId() + "\n", null);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    JsonNode client =
                            JSON.readTree(get(web.port(), "/stats?format=json")).at("/topics/0/channels/0/clients/0");
                    assertThat(client.get("client_id").asText()).isEqualTo("worker-1");
                    assertThat(client.get("hostname").asText()).isEqualTo("box");
                    assertThat(client.get("user_agent").asText()).isEqualTo("test/1.0");
                    assertThat(client.get("state").asInt()).isEqualTo(3);
                    assertThat(client.get("ready_count").asLong()).isEqualTo(5);
                    assertThat(client.get("message_count").asLong()).isEqualTo(3);
                    assertThat(client.get("finish_count").asLong()).isEqualTo(1);
                    assertThat(client.get("in_flight_count").asLong()).isEqualTo(2);
                    assertThat(client.get("remote_address").asText())
                            .isEqualTo("127.0.0.1:" + consumer.socket.getLocalPort());
                });

                JsonNode stats = JSON.readTree(get(web.port(), "/stats?format=json"));
                JsonNode producers = stats.get("producers");
                assertThat(producers).hasSize(1);
                assertThat(producers.at("/0/pub_counts/0/topic").asText()).isEqualTo("events");
                assertThat(producers.at("/0/pub_counts/0/count").asLong()).isEqualTo(3);
                assertThat(producers.at("/0/remote_address").asText())
                        .isEqualTo("127.0.0.1:" + producer.socket.getLocalPort());

                JsonNode without = JSON.readTree(get(web.port(), "/stats?format=json&include_clients=false"));
                assertThat(without.at("/topics/0/channels/0/clients").isNull()).isTrue();
                assertThat(without.get("producers").isNull()).isTrue();

                String text = get(web.port(), "/stats");
                assertThat(text)
                        .contains("[V2 box:" + consumer.socket.getLocalPort())
                        .contains("state: 3 inflt: 2")
                        .contains("Producers:")
                        .contains("msgs: 3        topics: events=3");

                consumer.close();
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> JSON.readTree(get(web.port(), "/stats?format=json"))
                                .at("/topics/0/channels/0/clients")
                                .isEmpty());
            }
        }
    }

    @Test
    void shouldFilterByTopicAndChannelAsNsqdDoes() throws Exception {
        try (LocalEngine engine = LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build())) {
            NsqTcpServer.Builder servers = NsqTcpServer.builder(engine);
            try (NsqTcpServer tcp = servers.startTcp("127.0.0.1", 0);
                    NsqTcpServer web = servers.startHttp("127.0.0.1", 0);
                    WireClient producer = new WireClient(tcp.port())) {
                assertThat(producer.send("PUB events\n", "one")).isEqualTo("OK");
                assertThat(producer.send("PUB orders\n", "two")).isEqualTo("OK");
                engine.createChannel("events", "audit").toCompletableFuture().get();
                engine.createChannel("orders", "billing").toCompletableFuture().get();

                // the file engine writes every durable message to disk: all of the depth is backend depth
                producer.write("MPUB events\n", WireClient.mpub(utf8("a"), utf8("b")));
                assertThat(producer.read().text()).isEqualTo("OK");
                JsonNode events = JSON.readTree(get(web.port(), "/stats?format=json&topic=events"));
                // "one" was held for the first channel, then "a" and "b"
                assertThat(events.at("/topics/0/channels/0/depth").asLong()).isEqualTo(3);
                assertThat(events.at("/topics/0/channels/0/backend_depth").asLong())
                        .isEqualTo(3);

                // an unknown topic: no topics and no producers, both null (nsqd 1.3.0, observed)
                JsonNode nope = JSON.readTree(get(web.port(), "/stats?format=json&topic=nope"));
                assertThat(nope.get("topics").isNull()).isTrue();
                assertThat(nope.get("producers").isNull()).isTrue();
                assertThat(get(web.port(), "/stats?topic=nope"))
                        .contains("Topics: None")
                        .contains("Producers: None");

                // a known topic without that channel is left out; the producers stay
                JsonNode noChannel = JSON.readTree(get(web.port(), "/stats?format=json&topic=events&channel=nope"));
                assertThat(noChannel.get("topics")).isEmpty();
                assertThat(noChannel.get("producers")).hasSize(1);

                // a channel alone keeps only the topics that have it
                JsonNode audit = JSON.readTree(get(web.port(), "/stats?format=json&channel=audit"));
                assertThat(audit.get("topics")).hasSize(1);
                assertThat(audit.at("/topics/0/topic_name").asText()).isEqualTo("events");
                assertThat(audit.at("/topics/0/channels/0/channel_name").asText())
                        .isEqualTo("audit");

                // empty parameters filter nothing
                assertThat(JSON.readTree(get(web.port(), "/stats?format=json&topic=&channel="))
                                .get("topics"))
                        .hasSize(2);
            }
        }
    }
}
