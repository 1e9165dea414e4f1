package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.redis.internal.RedisEngineProvider;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Two Sentinel-managed groups in one engine URI ({@code redis-sentinel://.../ga;redis-sentinel://.../gb}),
 * with real processes: each group a master and a replica, three sentinels watching both. Topics are
 * spread over the groups by name; when one group's master is killed, its topics move to the promoted
 * replica while the other group's topics go on being served.
 */
class RedisSentinelGroupsTest {
    @Test
    void shouldSpreadTopicsOverTwoSentinelGroupsAndFollowAFailoverInOne() {
        try (RedisProcesses processes = new RedisProcesses()) {
            RedisProcess masterA = processes.server();
            RedisProcess replicaA = processes.replicaOf(masterA);
            RedisProcess masterB = processes.server();
            RedisProcess replicaB = processes.replicaOf(masterB);
            for (RedisProcess replica : List.of(replicaA, replicaB)) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> replica.info("replication").contains("master_link_status:up"));
            }
            Map<String, RedisProcess> masters = Map.of("ga", masterA, "gb", masterB);
            String sentinels = String.join(
                    ",",
                    processes.sentinel(masters, 2).address(),
                    processes.sentinel(masters, 2).address(),
                    processes.sentinel(masters, 2).address());
            String uri = "redis-sentinel://" + sentinels + "/ga;redis-sentinel://" + sentinels + "/gb?timeout=2s";

            List<String> topics =
                    IntStream.range(0, 20).mapToObj(i -> "topic" + i).toList();
            String onA = topics.stream()
                    .filter(t -> RedisEngineProvider.instanceIndex(t, 2) == 0)
                    .findFirst()
                    .orElseThrow();
            String onB = topics.stream()
                    .filter(t -> RedisEngineProvider.instanceIndex(t, 2) == 1)
                    .findFirst()
                    .orElseThrow();
            Set<String> received = ConcurrentHashMap.newKeySet();
            try (Bus bus = Bus.open(uri)) {
                for (String t : topics) {
                    bus.publish(t, t.getBytes(StandardCharsets.UTF_8));
                }
                for (String t : topics) {
                    boolean first = RedisEngineProvider.instanceIndex(t, 2) == 0;
                    assertThat((first ? masterA : masterB).command("SISMEMBER", "ferry:topics", t))
                            .as("%s is held by group %s", t, first ? "ga" : "gb")
                            .isEqualTo(":1");
                    assertThat((first ? masterB : masterA).command("SISMEMBER", "ferry:topics", t))
                            .isEqualTo(":0");
                }
                for (String t : List.of(onA, onB)) {
                    bus.subscribe(
                            t,
                            "c",
                            m -> received.add(t + "/" + new String(m.body(), StandardCharsets.UTF_8)),
                            SubscribeOptions.maxInFlight(10));
                }
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> received.containsAll(List.of(onA + "/" + onA, onB + "/" + onB)));

                masterA.kill();
                // group gb is not touched by ga's failover
                bus.publish(onB, "during".getBytes(StandardCharsets.UTF_8));
                await().atMost(Duration.ofSeconds(20)).until(() -> received.contains(onB + "/during"));
                // group ga comes back on its promoted replica, publishes and consumers resuming by themselves
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100))
                        .ignoreExceptions()
                        .until(() -> {
                            bus.publish(onA, "after".getBytes(StandardCharsets.UTF_8));
                            return true;
                        });
                await().atMost(Duration.ofSeconds(30)).until(() -> received.contains(onA + "/after"));
                assertThat(replicaA.info("replication")).contains("role:master");
                assertThat(replicaA.command("SISMEMBER", "ferry:topics", onA)).isEqualTo(":1");
            }
        }
    }
}
