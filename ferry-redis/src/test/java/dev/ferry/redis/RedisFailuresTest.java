package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.StorageException;
import dev.ferry.SubscribeOptions;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Engines;
import dev.ferry.spi.PublishRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Redis that is away, refuses the password or is out of memory gives errors that name its address
 * and say what is wrong, and the engine resumes by itself once Redis is back.
 */
class RedisFailuresTest {
    private final RedisProcesses processes = new RedisProcesses();

    @AfterEach
    void stop() {
        processes.close();
    }

    private static List<PublishRecord> one(String body) {
        return List.of(PublishRecord.of(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldRefuseAWrongPasswordWithAnErrorNamingTheAddress() {
        RedisProcess redis = processes.server("--requirepass", "s3cret");
        assertThatThrownBy(() -> Engines.open("redis://:wrong@" + redis.address(), Clock.systemUTC()))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Redis at " + redis.address())
                .hasMessageContaining("refused the credentials");
        try (Engine engine = Engines.open("redis://:s3cret@" + redis.address(), Clock.systemUTC())) {
            engine.append("t", one("a")).join();
            assertThat(engine.name()).doesNotContain("s3cret");
        }
    }

    @Test
    void shouldNameTheAddressWhenNoRedisListens() {
        RedisProcess redis = processes.server();
        redis.kill();
        assertThatThrownBy(() -> Engines.open(redis.uri() + "?timeout=2s", Clock.systemUTC()))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Redis at " + redis.address())
                .hasMessageContaining("not reachable");
    }

    @Test
    void shouldRefuseAPublishWhenRedisIsOutOfMemory() {
        RedisProcess redis = processes.server("--maxmemory", "2mb", "--maxmemory-policy", "noeviction");
        try (Engine engine = Engines.open(redis.uri(), Clock.systemUTC())) {
            byte[] big = new byte[64 * 1024];
            Throwable refused = null;
            for (int i = 0; i < 200 && refused == null; i++) {
                try {
                    engine.append("t", List.of(PublishRecord.of(big))).join();
                } catch (CompletionException e) {
                    refused = e.getCause();
                }
            }
            assertThat(refused)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("Redis at " + redis.address())
                    .hasMessageContaining("out of memory");
        }
    }

    @Test
    void shouldFailPublishesNamingTheAddressWhileRedisIsDownAndResumeWhenItIsBack() {
        RedisProcess redis = processes.server("--appendonly", "yes", "--appendfsync", "always");
        try (Bus bus = Bus.open(redis.uri() + "?timeout=2s")) {
            Set<String> received = ConcurrentHashMap.newKeySet();
            bus.subscribe(
                    "t",
                    "c",
                    m -> received.add(new String(m.body(), StandardCharsets.UTF_8)),
                    SubscribeOptions.maxInFlight(10));
            bus.publish("t", "before".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("before"));

            redis.kill();
            assertThatThrownBy(() -> bus.publish("t", "lost".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("Redis at " + redis.address());

            redis.restart();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                bus.publish("t", "after".getBytes(StandardCharsets.UTF_8));
                return true;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("after"));
        }
    }
}
