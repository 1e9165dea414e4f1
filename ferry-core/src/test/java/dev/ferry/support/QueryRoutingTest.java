package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Bus;
import dev.ferry.Query;
import dev.ferry.SubscribeOptions;
import dev.ferry.spi.ReplyRouting;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The many-node hook: requests name the asker's node, responders publish there through the hook. */
class QueryRoutingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Bus bus = Bus.inMemory();

    @AfterEach
    void close() {
        bus.close();
    }

    /** A cluster of one real node, where every address reaches the same bus. */
    private final class FakeCluster implements ReplyRouting {
        final List<String> direct = new CopyOnWriteArrayList<>();

        @Override
        public Optional<String> replyNode() {
            return Optional.of("10.0.0.7:4150");
        }

        @Override
        public Optional<CompletableFuture<Void>> publishTo(String node, String topic, byte[] body) {
            direct.add(node + " " + topic);
            return Optional.of(bus.publishAsync(topic, body));
        }
    }

    @Test
    void shouldNameTheAskersNodeAndPublishTheReplyStraightThere() throws Exception {
        FakeCluster cluster = new FakeCluster();
        List<JsonNode> requests = new CopyOnWriteArrayList<>();
        try (QueryClient client = new QueryClient(bus, Clock.systemUTC(), cluster, 100)) {
            client.respond(
                    "work",
                    "r",
                    request -> {
                        requests.add(request.deepCopy());
                        return JSON.createObjectNode().put("done", true);
                    },
                    SubscribeOptions.DEFAULT);
            String reply = client.ask("work", "{}", Duration.ofSeconds(10)).get();
            assertThat(JSON.readTree(reply).get("done").asBoolean()).isTrue();
            assertThat(requests.get(0).get(Query.SERVER_NODE).asText()).isEqualTo("10.0.0.7:4150");
            assertThat(cluster.direct).containsExactly("10.0.0.7:4150 " + client.replyTopic());
            await().until(() -> client.stats().replied() == 1);
        }
    }

    @Test
    void shouldPublishThroughTheBusWhenTheRequestNamesNoNode() throws Exception {
        FakeCluster cluster = new FakeCluster();
        try (QueryClient asker = new QueryClient(bus, Clock.systemUTC(), ReplyRouting.SINGLE_NODE, 100);
                QueryClient responder = new QueryClient(bus, Clock.systemUTC(), cluster, 100)) {
            responder.respond("work", "r", request -> JSON.createObjectNode(), SubscribeOptions.DEFAULT);
            asker.ask("work", "{}", Duration.ofSeconds(10)).get();
            assertThat(cluster.direct).isEmpty();
        }
    }
}
