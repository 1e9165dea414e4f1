package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.TopicStats;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A real three-master Redis Cluster through {@code redis-cluster://}: topics land in the slots of
 * their hash tags on all three masters, every key of one topic on the same master, and the bus
 * publishes, consumes and lists them all.
 */
class RedisClusterTest {
    @Test
    void shouldSpreadTopicsOverTheMastersKeepingEachTopicsKeysInOneSlot() {
        try (RedisProcesses processes = new RedisProcesses()) {
            List<RedisProcess> masters = processes.cluster(3);
            List<String> topics =
                    IntStream.range(0, 30).mapToObj(i -> "topic" + i).toList();
            Set<String> received = ConcurrentHashMap.newKeySet();
            try (Bus bus = Bus.open("redis-cluster://" + masters.get(0).address() + "?timeout=3s")) {
                for (String t : topics) {
                    bus.subscribe(
                            t,
                            "c",
                            m -> received.add(new String(m.body(), StandardCharsets.UTF_8)),
                            SubscribeOptions.maxInFlight(10));
                }
                for (String t : topics) {
                    bus.publish(t, (t + "/1").getBytes(StandardCharsets.UTF_8));
                    bus.publish(t, (t + "/2").getBytes(StandardCharsets.UTF_8));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 2 * topics.size());
                assertThat(received)
                        .containsAll(topics.stream().map(t -> t + "/2").toList());
                assertThat(bus.admin().topics())
                        .extracting(TopicStats::name)
                        .containsExactlyInAnyOrderElementsOf(topics);
            }
            for (String t : topics) {
                // the topic's hash, its channel's hash and its registry entry all live on one master
                long holders = masters.stream()
                        .filter(m -> m.command("EXISTS", "ferry:{" + t + "}").equals(":1"))
                        .peek(m -> {
                            assertThat(m.command("EXISTS", "ferry:{" + t + "}:c:c"))
                                    .isEqualTo(":1");
                            assertThat(m.command("EXISTS", "ferry:{" + t + "}:reg"))
                                    .isEqualTo(":1");
                        })
                        .count();
                assertThat(holders).as("masters holding %s", t).isEqualTo(1);
            }
            for (RedisProcess m : masters) {
                assertThat(m.command("DBSIZE")).as("%s holds some topics", m).isNotEqualTo(":0");
            }
        }
    }
}
