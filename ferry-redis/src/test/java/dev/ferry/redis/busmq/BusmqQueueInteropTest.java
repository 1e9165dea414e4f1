package dev.ferry.redis.busmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Bus;
import dev.ferry.busmq.BusQueue;
import dev.ferry.busmq.BusQueue.ConsumeOptions;
import dev.ferry.busmq.BusQueue.Delivery;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A queue shared by the real node busmq 3.1 and Ferry's {@link BusQueue} on one Redis (its own
 * redis-server on a free port), both ways: node pushes and Ferry consumes, Ferry pushes and node
 * consumes, each waking on the other's push; the state both see (exists, count, ttl, metadata,
 * maxsize, flush); the ttl expiry after the last detach; busmq's reliable mode with a restore.
 */
class BusmqQueueInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RedisProcesses processes;
    private RedisProcess redis;
    private Bus bus;

    @BeforeAll
    static void installBusmq() throws Exception {
        NodeBusmq.install();
    }

    @BeforeEach
    void start() {
        processes = new RedisProcesses();
        redis = processes.server();
        bus = Bus.open(redis.uri());
    }

    @AfterEach
    void stop() {
        try {
            bus.close();
        } finally {
            processes.close();
        }
    }

    /** Messages a Ferry queue consumed, with their ids. */
    private static final class Received extends CopyOnWriteArrayList<Map.Entry<Long, String>>
            implements BusQueue.Listener {
        @Override
        public void message(String message, long id) {
            add(Map.entry(id, message));
        }

        List<String> texts() {
            return stream().map(Map.Entry::getValue).toList();
        }

        List<Long> ids() {
            return stream().map(Map.Entry::getKey).toList();
        }
    }

    private static JsonNode json(String line) throws Exception {
        return JSON.readTree(line);
    }

    private static List<String> nodeMessages(String line) throws Exception {
        List<String> out = new ArrayList<>();
        json(line).get("messages").forEach(m -> out.add(m.get("message").asText()));
        return out;
    }

    @Test
    void shouldConsumeInFerryWhatNodeBusmqPushed() throws Exception {
        String ids = NodeBusmq.run("push", redis.uri(), "from-node", "6");
        assertThat(json(ids).get("ids").toString()).isEqualTo("[1,2,3,4,5,6]");

        try (BusQueue q = BusQueue.of(bus, "from-node")) {
            Received got = new Received();
            q.addListener(got);
            assertThat(q.attach()).isTrue();
            assertThat(q.count()).isEqualTo(6);
            q.consume();
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 6);
            assertThat(got.texts())
                    .containsExactly(
                            "node 0",
                            "{\"from\":\"node\",\"n\":1}",
                            "node 2",
                            "{\"from\":\"node\",\"n\":3}",
                            "node 4",
                            "{\"from\":\"node\",\"n\":5}");
            assertThat(got.ids()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(q.count()).isZero();
        }
    }

    @Test
    void shouldConsumeInNodeBusmqWhatFerryPushed() throws Exception {
        try (BusQueue q = BusQueue.of(bus, "from-ferry")) {
            assertThat(q.attach()).isFalse();
            q.push("ferry 0");
            q.pushJson(Map.of("from", "ferry"));
            assertThat(q.tryPushAll(List.of("ferry 2", "ferry 3"))).isTrue();
            String line = NodeBusmq.run("consume", redis.uri(), "from-ferry", "4");
            assertThat(nodeMessages(line)).containsExactly("ferry 0", "{\"from\":\"ferry\"}", "ferry 2", "ferry 3");
            assertThat(json(line).findValues("id").stream().map(JsonNode::asLong))
                    .containsExactly(1L, 2L, 3L, 4L);
            assertThat(q.count()).isZero();
        }
    }

    @Test
    void shouldWakeANodeBusmqConsumerOnAFerryPush() throws Exception {
        try (BusQueue q = BusQueue.of(bus, "wake-node");
                NodeBusmq node = NodeBusmq.start("consume", redis.uri(), "wake-node", "3")) {
            node.awaitReady();
            q.attach();
            q.push("one");
            q.push("two");
            q.push("three");
            assertThat(nodeMessages(node.result())).containsExactly("one", "two", "three");
        }
    }

    @Test
    void shouldWakeAFerryConsumerOnANodeBusmqPush() throws Exception {
        try (BusQueue q = BusQueue.of(bus, "wake-ferry")) {
            Received got = new Received();
            q.addListener(got);
            q.attach();
            q.consume();
            NodeBusmq.run("push", redis.uri(), "wake-ferry", "3");
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 3);
            assertThat(got.texts()).containsExactly("node 0", "{\"from\":\"node\",\"n\":1}", "node 2");
        }
    }

    @Test
    void shouldShareStateWithNodeBusmq() throws Exception {
        try (BusQueue q = BusQueue.of(bus, "state")) {
            assertThat(q.exists()).isFalse();
            q.attach(Duration.ofSeconds(40), 2);
            q.metadata("owner", "ferry");
            assertThat(q.tryPush("a")).isTrue();
            assertThat(q.tryPush("b")).isTrue();
            assertThat(q.tryPush("refused"))
                    .as("maxsize 2 refuses a third message")
                    .isFalse();
            JsonNode seen = json(NodeBusmq.run("inspect", redis.uri(), "state", "owner"));
            assertThat(seen.get("exists").asBoolean()).isTrue();
            assertThat(seen.get("count").asLong()).isEqualTo(2);
            assertThat(seen.get("metadata").asText()).isEqualTo("ferry");
            assertThat(json(NodeBusmq.run("inspect", redis.uri(), "state", "maxsize"))
                            .get("metadata")
                            .asText())
                    .isEqualTo("2");
            assertThat(q.ttl()).contains(Duration.ofSeconds(40));

            q.purge();
            assertThat(json(NodeBusmq.run("inspect", redis.uri(), "state", "ttl"))
                            .get("count")
                            .asLong())
                    .isZero();
            assertThat(q.exists()).isTrue();

            q.destroy();
            assertThat(json(NodeBusmq.run("inspect", redis.uri(), "state", "ttl"))
                            .get("exists")
                            .asBoolean())
                    .isFalse();
        }
    }

    @Test
    void shouldReadWithoutRemovingWhatNodeBusmqPushed() throws Exception {
        NodeBusmq.run("push", redis.uri(), "peek", "3");
        try (BusQueue q = BusQueue.of(bus, "peek")) {
            Received got = new Received();
            q.addListener(got);
            q.attach();
            q.consume(ConsumeOptions.DEFAULT.withRemove(false).withMax(3));
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 3 && !q.isConsuming());
            assertThat(got.ids()).containsExactly(1L, 2L, 3L);
            assertThat(q.count()).isEqualTo(3);
        }
        // and node still finds every message
        assertThat(nodeMessages(NodeBusmq.run("consume", redis.uri(), "peek", "3")))
                .hasSize(3);
    }

    @Test
    void shouldKeepTheStoredTtlAndExpireAfterTheLastDetach() throws Exception {
        BusQueue q = BusQueue.of(bus, "short-lived");
        q.attach(Duration.ofSeconds(1));
        q.push("gone with the queue");
        // node attaches with its default 30 s: the stored ttl wins
        assertThat(json(NodeBusmq.run("inspect", redis.uri(), "short-lived", "ttl"))
                        .get("metadata")
                        .asText())
                .isEqualTo("1");
        // attached: the keep-alive holds it past several ttls
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(q::exists);
        q.detach();
        await().atMost(Duration.ofSeconds(5)).until(() -> !q.exists());
        assertThat(redis.command("EXISTS", "bus:queue:short-lived:messages")).isEqualTo(":0");
    }

    @Test
    void shouldRestoreUnacknowledgedMessagesInReliableMode() throws Exception {
        NodeBusmq.run("push", redis.uri(), "reliable", "5");
        try (BusQueue q = BusQueue.of(bus, "reliable")) {
            Received got = new Received();
            q.addListener(got);
            q.attach();
            q.consume(ConsumeOptions.DEFAULT.withDelivery(Delivery.RELIABLE));
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 5);
            q.ack(2);
            q.stop();
            assertThat(q.count()).isZero();
            assertThat(redis.command("LLEN", "bus:queue:reliable:toack")).isEqualTo(":6");

            // consuming again reliably restores 3, 4 and 5, in order
            got.clear();
            q.consume(ConsumeOptions.DEFAULT.withDelivery(Delivery.RELIABLE));
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 3);
            assertThat(got.ids()).containsExactly(3L, 4L, 5L);
            q.ack(3);
            q.stop();
        }
        // node busmq, consuming reliably with last = 3, gets what Ferry did not acknowledge
        String line = NodeBusmq.run("consume", redis.uri(), "reliable", "2", "true", "true", "3");
        assertThat(json(line).findValues("id").stream().map(JsonNode::asLong)).containsExactly(4L, 5L);
    }

    @Test
    void shouldRestoreForFerryWhatNodeBusmqDidNotAcknowledge() throws Exception {
        NodeBusmq.run("push", redis.uri(), "reliable-node", "4");
        // node consumes all four reliably and acknowledges only the first
        NodeBusmq.run("consume", redis.uri(), "reliable-node", "4", "true", "true", "0", "1");
        try (BusQueue q = BusQueue.of(bus, "reliable-node")) {
            Received got = new Received();
            q.addListener(got);
            q.attach();
            q.consume(ConsumeOptions.DEFAULT.withDelivery(Delivery.RELIABLE).withLastAcked(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 3);
            assertThat(got.ids()).containsExactly(2L, 3L, 4L);
        }
    }
}
