package dev.ferry.redis.busmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.busmq.BusQueue;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A busmq queue on a Sentinel-managed instance ({@code redis-sentinel://s1,s2,s3/ga}), with real
 * processes: the queue is kept in busmq's layout on the group's master, and after the master is
 * killed the same queue object pushes to and is consumed from the promoted replica.
 */
class BusmqSentinelTest {
    @Test
    void shouldKeepAQueueInBusmqLayoutOnTheMasterAndFollowAFailover() {
        try (RedisProcesses processes = new RedisProcesses()) {
            RedisProcess master = processes.server();
            RedisProcess replica = processes.replicaOf(master);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> replica.info("replication").contains("master_link_status:up"));
            Map<String, RedisProcess> masters = Map.of("ga", master);
            String sentinels = String.join(
                    ",",
                    processes.sentinel(masters, 2).address(),
                    processes.sentinel(masters, 2).address(),
                    processes.sentinel(masters, 2).address());

            List<String> got = new CopyOnWriteArrayList<>();
            try (Bus bus = Bus.open("redis-sentinel://" + sentinels + "/ga?timeout=2s");
                    BusQueue q = BusQueue.of(bus, "orders")) {
                assertThat(q.busmqCompatible()).isTrue();
                q.attach(Duration.ofSeconds(60));
                q.push("before the failover");
                assertThat(master.command("LLEN", "bus:queue:orders:messages")).isEqualTo(":2");
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> replica.command("LLEN", "bus:queue:orders:messages")
                                .equals(":2"));

                master.kill();
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                    q.push("after the failover");
                    return true;
                });
                q.addListener(new BusQueue.Listener() {
                    @Override
                    public void message(String message) {
                        got.add(message);
                    }
                });
                q.consume();
                await().atMost(Duration.ofSeconds(20)).until(() -> got.contains("after the failover"));
            }
            assertThat(got).startsWith("before the failover").contains("after the failover");
            assertThat(replica.info("replication")).contains("role:master");
        }
    }
}
