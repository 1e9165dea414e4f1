package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.StorageException;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Engines;
import dev.ferry.spi.PublishRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** {@code wait-replicas}: a publish is acknowledged only once that many replicas have it. */
class RedisWaitReplicasTest {
    private static List<PublishRecord> one(String body) {
        return List.of(PublishRecord.of(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldAcknowledgeAPublishOnceAReplicaHasItAndFailWhenNoneConfirms() {
        try (RedisProcesses processes = new RedisProcesses()) {
            RedisProcess master = processes.server();
            RedisProcess replica = processes.replicaOf(master);
            // connected is not enough: WAIT counts a replica once its first sync is done and it acks
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> replica.info("replication").contains("master_link_status:up")
                            && master.info("replication").contains("state=online"));
            try (Engine engine = Engines.open(master.uri() + "?wait-replicas=1&wait-timeout=3s", Clock.systemUTC())) {
                engine.append("t", one("safe")).join();
                // a topic without a channel holds it for the first one as an id, value pair
                assertThat(replica.command("LLEN", "ferry:{t}:heldi"))
                        .as("the replica has the message when the publish is acknowledged")
                        .isEqualTo(":2");

                replica.kill();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> master.info("replication").contains("connected_slaves:0"));
                assertThatThrownBy(() -> engine.append("t", one("unsafe")).join())
                        .isInstanceOf(CompletionException.class)
                        .cause()
                        .isInstanceOf(StorageException.class)
                        .hasMessageContaining("Redis at " + master.address())
                        .hasMessageContaining("only 0 of the 1 replicas");
            }
        }
    }
}
