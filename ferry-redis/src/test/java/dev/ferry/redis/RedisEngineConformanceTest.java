package dev.ferry.redis;

import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineConformanceTest;
import dev.ferry.spi.Engines;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The engine conformance suite, unchanged, against the Redis engine on a real redis-server (one for
 * the class; each test gets a key prefix of its own).
 */
class RedisEngineConformanceTest extends EngineConformanceTest {
    private static RedisProcesses processes;
    private static RedisProcess redis;
    private static int opened;

    @BeforeAll
    static void startRedis() {
        processes = new RedisProcesses();
        redis = processes.server();
    }

    @AfterAll
    static void stopRedis() {
        processes.close();
    }

    @Override
    protected Engine open(Clock clock) {
        return Engines.open(redis.uri() + "?mem-queue-size=100&tick=10ms&prefix=t" + (++opened), clock);
    }

    @Override
    protected Engine reopen() {
        engine.close();
        return Engines.open(redis.uri() + "?mem-queue-size=100&tick=10ms&prefix=t" + opened, clock);
    }
}
