package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.TopicStats;
import dev.ferry.redis.internal.RedisEngineProvider;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Engines;
import dev.ferry.spi.PublishRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Topics spread over several Redis instances by a stable rule on the name. */
class RedisPlacementTest {
    @Test
    void shouldPutEachTopicOnTheInstanceItsNameChoosesAndListThemAll() {
        try (RedisProcesses processes = new RedisProcesses()) {
            RedisProcess one = processes.server();
            RedisProcess two = processes.server();
            List<String> topics =
                    IntStream.range(0, 20).mapToObj(i -> "topic" + i).toList();
            String uri = "redis://" + one.address() + "," + two.address();
            try (Engine engine = Engines.open(uri, Clock.systemUTC())) {
                for (String t : topics) {
                    engine.append(t, List.of(PublishRecord.of(t.getBytes(StandardCharsets.UTF_8))))
                            .join();
                }
                assertThat(engine.stats().toCompletableFuture().join())
                        .extracting(TopicStats::name)
                        .containsExactlyInAnyOrderElementsOf(topics);
            }
            int onOne = 0;
            for (String t : topics) {
                int expected = RedisEngineProvider.instanceIndex(t, 2);
                RedisProcess holder = expected == 0 ? one : two;
                RedisProcess other = expected == 0 ? two : one;
                assertThat(holder.command("SISMEMBER", "ferry:topics", t)).isEqualTo(":1");
                assertThat(other.command("SISMEMBER", "ferry:topics", t)).isEqualTo(":0");
                onOne += expected == 0 ? 1 : 0;
            }
            assertThat(onOne).as("both instances hold some of the 20 topics").isBetween(1, 19);
        }
    }

    @Test
    void shouldChooseTheSameInstanceForTheSameNameEveryTime() {
        // CRC-32 of the UTF-8 name modulo the number of instances: fixed values, documented in REDIS.md
        assertThat(RedisEngineProvider.instanceIndex("orders", 3))
                .isEqualTo(RedisEngineProvider.instanceIndex("orders", 3));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update("orders".getBytes(StandardCharsets.UTF_8));
        assertThat(RedisEngineProvider.instanceIndex("orders", 3)).isEqualTo((int) (crc.getValue() % 3));
        assertThat(IntStream.range(0, 300)
                        .map(i -> RedisEngineProvider.instanceIndex("t" + i, 3))
                        .distinct()
                        .count())
                .isEqualTo(3);
    }
}
