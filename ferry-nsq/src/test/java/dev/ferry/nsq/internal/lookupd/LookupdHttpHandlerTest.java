package dev.ferry.nsq.internal.lookupd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.MutableClock;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LookupdHttpHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MutableClock clock = MutableClock.start();
    private final LookupdState state = new LookupdState(new LookupdOptions(
            Duration.ofSeconds(300), Duration.ofSeconds(45), "lookupd-host", "lookupd-host", "1.3.0", 1024, clock));
    private final EmbeddedChannel http = new EmbeddedChannel(new LookupdHttpHandler(state));

    /** One answer: status, body, headers. */
    private record Answer(int status, String body, FullHttpResponse response) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return response.headers().get(name);
        }
    }

    private Answer request(HttpMethod method, String uri) {
        http.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        FullHttpResponse r = http.readOutbound();
        try {
            return new Answer(r.status().code(), r.content().toString(StandardCharsets.UTF_8), r);
        } finally {
            r.release();
        }
    }

    private Answer get(String uri) {
        return request(HttpMethod.GET, uri);
    }

    private Answer post(String uri) {
        return request(HttpMethod.POST, uri);
    }

    private V1Peer node(int port, String address, String... registrations) {
        V1Peer peer = new V1Peer(state, port).identifyAs(address, 4150, 4151);
        for (String r : registrations) {
            peer.send("REGISTER " + r + "\n");
        }
        return peer;
    }

    @Test
    void shouldAnswerPingAndInfo() {
        Answer ping = get("/ping");
        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.body()).isEqualTo("OK");
        assertThat(ping.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        Answer info = get("/info");
        assertThat(info.body()).isEqualTo("{\"version\":\"1.3.0\"}");
        assertThat(info.header("X-NSQ-Content-Type")).isEqualTo("nsq; version=1.0");
    }

    @Test
    void shouldListTopicsAndChannelsInNameOrder() {
        node(1000, "node1", "t c2", "t c1", "a");
        assertThat(get("/topics").body()).isEqualTo("{\"topics\":[\"a\",\"t\"]}");
        assertThat(get("/channels?topic=t").body()).isEqualTo("{\"channels\":[\"c1\",\"c2\"]}");
        assertThat(get("/channels?topic=missing").body()).isEqualTo("{\"channels\":[]}");
        assertThat(get("/channels").status()).isEqualTo(400);
        assertThat(get("/channels").body()).isEqualTo("{\"message\":\"MISSING_ARG_TOPIC\"}");
    }

    @Test
    void shouldLookUpTheProducersOfATopic() {
        node(1000, "node1", "t c");
        node(1001, "node2", "t");
        JsonNode lookup = get("/lookup?topic=t").json();
        assertThat(lookup.get("channels").toString()).isEqualTo("[\"c\"]");
        assertThat(lookup.get("producers")).hasSize(2);
        assertThat(lookup.get("producers").get(0).toString())
                .isEqualTo("{\"remote_address\":\"127.0.0.1:1000\",\"hostname\":\"node1\",\"broadcast_address\":"
                        + "\"node1\",\"tcp_port\":4150,\"http_port\":4151,\"version\":\"1.3.0\"}");
        Answer missing = get("/lookup?topic=nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"message\":\"TOPIC_NOT_FOUND\"}");
        assertThat(get("/lookup").body()).isEqualTo("{\"message\":\"MISSING_ARG_TOPIC\"}");
    }

    @Test
    void shouldListATopicWhoseProducersLeftWithNoProducers() {
        node(1000, "node1", "t").close();
        assertThat(get("/lookup?topic=t").body()).isEqualTo("{\"channels\":[],\"producers\":[]}");
    }

    @Test
    void shouldDropANodeThatStoppedPingingAfterTheInactiveProducerTimeout() {
        V1Peer quiet = node(1000, "quiet", "t");
        V1Peer pinging = node(1001, "pinging", "t");
        clock.advance(Duration.ofSeconds(200));
        pinging.send("PING\n");
        clock.advance(Duration.ofSeconds(100));
        assertThat(get("/lookup?topic=t").json().get("producers")).hasSize(2);
        clock.advance(Duration.ofMillis(1));
        JsonNode producers = get("/lookup?topic=t").json().get("producers");
        assertThat(producers)
                .singleElement()
                .satisfies(p -> assertThat(p.get("hostname").asText()).isEqualTo("pinging"));
        assertThat(get("/nodes").json().get("producers")).hasSize(1);
        assertThat(quiet.isOpen()).isTrue();
    }

    @Test
    void shouldListNodesWithTheirTopicsAndTombstones() {
        node(1000, "node1", "t c", "u");
        node(1001, "node2", "t");
        Answer tombstone = post("/topic/tombstone?topic=t&node=node1:4151");
        assertThat(tombstone.status()).isEqualTo(200);
        assertThat(tombstone.body()).isEmpty();
        JsonNode nodes = get("/nodes").json().get("producers");
        assertThat(nodes).hasSize(2);
        assertThat(nodes.get(0).get("topics").toString()).isEqualTo("[\"t\",\"u\"]");
        assertThat(nodes.get(0).get("tombstones").toString()).isEqualTo("[true,false]");
        assertThat(nodes.get(1).get("tombstones").toString()).isEqualTo("[false]");
        assertThat(get("/lookup?topic=t").json().get("producers"))
                .singleElement()
                .satisfies(p -> assertThat(p.get("hostname").asText()).isEqualTo("node2"));

        clock.advance(Duration.ofSeconds(45));
        assertThat(get("/lookup?topic=t").json().get("producers")).hasSize(2);
        assertThat(get("/nodes")
                        .json()
                        .get("producers")
                        .get(0)
                        .get("tombstones")
                        .toString())
                .isEqualTo("[false,false]");
    }

    @Test
    void shouldRequireTopicAndNodeToTombstone() {
        assertThat(post("/topic/tombstone").body()).isEqualTo("{\"message\":\"MISSING_ARG_TOPIC\"}");
        assertThat(post("/topic/tombstone?topic=t").body()).isEqualTo("{\"message\":\"MISSING_ARG_NODE\"}");
    }

    @Test
    void shouldCreateAndDeleteTopicsAndChannels() {
        assertThat(post("/topic/create?topic=t").status()).isEqualTo(200);
        assertThat(post("/channel/create?topic=u&channel=c").status()).isEqualTo(200);
        assertThat(get("/topics").body()).isEqualTo("{\"topics\":[\"t\",\"u\"]}");
        assertThat(get("/lookup?topic=t").body()).isEqualTo("{\"channels\":[],\"producers\":[]}");
        assertThat(get("/channels?topic=u").body()).isEqualTo("{\"channels\":[\"c\"]}");

        assertThat(post("/channel/delete?topic=u&channel=c").status()).isEqualTo(200);
        Answer again = post("/channel/delete?topic=u&channel=c");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.body()).isEqualTo("{\"message\":\"CHANNEL_NOT_FOUND\"}");

        post("/channel/create?topic=t&channel=c");
        assertThat(post("/topic/delete?topic=t").status()).isEqualTo(200);
        assertThat(post("/topic/delete?topic=never").status()).isEqualTo(200);
        assertThat(get("/topics").body()).isEqualTo("{\"topics\":[\"u\"]}");
        assertThat(get("/channels?topic=t").body()).isEqualTo("{\"channels\":[]}");
    }

    @Test
    void shouldCheckTheNamesItCreates() {
        assertThat(post("/topic/create").body()).isEqualTo("{\"message\":\"MISSING_ARG_TOPIC\"}");
        assertThat(post("/topic/create?topic=bad!").body()).isEqualTo("{\"message\":\"INVALID_ARG_TOPIC\"}");
        assertThat(post("/channel/create?topic=t").body()).isEqualTo("{\"message\":\"MISSING_ARG_CHANNEL\"}");
        assertThat(post("/channel/create?topic=bad!&channel=c").body())
                .isEqualTo("{\"message\":\"INVALID_ARG_TOPIC\"}");
        Answer bad = post("/channel/delete?topic=t&channel=bad!");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).isEqualTo("{\"message\":\"INVALID_ARG_CHANNEL\"}");
    }

    @Test
    void shouldAnswerUnknownPathsAndWrongMethodsAsItsRouter() {
        Answer missing = get("/nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"message\":\"NOT_FOUND\"}");
        Answer wrong = get("/topic/create?topic=t");
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.body()).isEqualTo("{\"message\":\"METHOD_NOT_ALLOWED\"}");
        // nsqlookupd 1.3 (httprouter 1.3): the path's methods and OPTIONS, sorted
        assertThat(wrong.header("Allow")).isEqualTo("OPTIONS, POST");
        Answer options = request(HttpMethod.OPTIONS, "/lookup");
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.header("Allow")).isEqualTo("GET, OPTIONS");
        assertThat(get("/lookup?topic=%zz").body()).isEqualTo("{\"message\":\"INVALID_REQUEST\"}");
    }
}
