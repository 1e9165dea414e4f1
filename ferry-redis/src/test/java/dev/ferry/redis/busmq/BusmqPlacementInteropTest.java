package dev.ferry.redis.busmq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Bus;
import dev.ferry.busmq.BusQueue;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three Redis instances: node busmq 3.1 and Ferry, given the same URL list, put each of 100 queues
 * on the same instance (busmq's character-sum rule), and Ferry finds a queue where it already is.
 */
class BusmqPlacementInteropTest {

    @BeforeAll
    static void installBusmq() throws Exception {
        NodeBusmq.install();
    }

    @Test
    void shouldPlaceEveryQueueWhereNodeBusmqDoes() throws Exception {
        try (RedisProcesses processes = new RedisProcesses()) {
            List<RedisProcess> redis = List.of(processes.server(), processes.server(), processes.server());
            String urls = String.join(",", redis.stream().map(RedisProcess::uri).toList());
            List<String> names = IntStream.range(0, 100)
                    .mapToObj(i -> (i % 10 == 0 ? "channel:local:queue-" : "queue-") + i)
                    .toList();

            List<String> args = new ArrayList<>(List.of("create", urls, "-"));
            args.addAll(names);
            assertThat(NodeBusmq.run(args.toArray(String[]::new))).isEqualTo("\"created\"");
            Map<String, Integer> byNode = where(redis, names);
            redis.forEach(r -> r.command("FLUSHALL"));

            String engine = "redis://"
                    + String.join(",", redis.stream().map(RedisProcess::address).toList());
            try (Bus bus = Bus.open(engine)) {
                for (String name : names) {
                    BusQueue q = BusQueue.of(bus, name);
                    q.attach(Duration.ofSeconds(60));
                    q.detach();
                }
            }
            Map<String, Integer> byFerry = where(redis, names);

            assertThat(byFerry).isEqualTo(byNode);
            assertThat(byNode.values()).as("spread over all three").contains(0, 1, 2);
        }
    }

    @Test
    void shouldFindAQueueOnTheInstanceThatAlreadyHoldsIt() throws Exception {
        try (RedisProcesses processes = new RedisProcesses()) {
            List<RedisProcess> redis = List.of(processes.server(), processes.server());
            // by the character sum "moved" belongs on instance 1; it is on 0, as after an instance was added
            redis.get(0).command("HSET", "bus:queue:moved:metadata", "ttl", "60");
            redis.get(0).command("RPUSH", "bus:queue:moved:messages", "1", "where it was");
            String engine =
                    "redis://" + redis.get(0).address() + "," + redis.get(1).address();
            try (Bus bus = Bus.open(engine);
                    BusQueue q = BusQueue.of(bus, "moved")) {
                assertThat(q.exists()).isTrue();
                assertThat(q.count()).isEqualTo(1);
            }
        }
    }

    /** The index of the instance holding each queue's metadata; fails when it is on none or several. */
    private static Map<String, Integer> where(List<RedisProcess> redis, List<String> names) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String name : names) {
            List<Integer> holders = IntStream.range(0, redis.size())
                    .filter(i -> redis.get(i)
                            .command("EXISTS", "bus:queue:" + name + ":metadata")
                            .equals(":1"))
                    .boxed()
                    .toList();
            assertThat(holders).as("instances holding %s", name).hasSize(1);
            out.put(name, holders.get(0));
        }
        return out;
    }
}
