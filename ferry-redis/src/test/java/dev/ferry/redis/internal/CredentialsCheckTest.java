package dev.ferry.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The check a failed connect falls back on tells a refused password from an unreachable server, so
 * "wrong password" never reads as "not reachable" when Lettuce loses the handshake's refusal.
 */
class CredentialsCheckTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final RedisProcesses processes = new RedisProcesses();
    private final ClientResources resources = DefaultClientResources.create();

    @AfterEach
    void stop() {
        resources.shutdown();
        processes.close();
    }

    @Test
    void shouldReportTheServersRefusalOfAWrongPasswordAndNothingForTheRightOne() {
        RedisProcess redis = processes.server("--requirepass", "s3cret");
        assertThat(CredentialsCheck.refusal(RedisURI.create("redis://:wrong@" + redis.address()), resources, TIMEOUT))
                .isNotNull()
                .hasMessageStartingWith("WRONGPASS");
        assertThat(CredentialsCheck.refusal(RedisURI.create("redis://:s3cret@" + redis.address()), resources, TIMEOUT))
                .isNull();
    }

    @Test
    void shouldReportNothingWhenNoCredentialsAreGivenOrNoServerAnswers() {
        RedisProcess redis = processes.server();
        assertThat(CredentialsCheck.refusal(RedisURI.create(redis.uri()), resources, TIMEOUT))
                .isNull();
        redis.kill();
        assertThat(CredentialsCheck.refusal(RedisURI.create("redis://:any@" + redis.address()), resources, TIMEOUT))
                .isNull();
    }
}
