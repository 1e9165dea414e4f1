package dev.ferry.redis;

import dev.ferry.redis.testing.SharedRedisServer;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineConformanceTest;
import dev.ferry.spi.Engines;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine conformance suite, unchanged, against the Redis engine on a real redis-server (one for
 * the class; each test gets a key prefix of its own).
 */
class RedisEngineConformanceTest extends EngineConformanceTest {
    @RegisterExtension
    static final SharedRedisServer REDIS = new SharedRedisServer();

    private static int opened;

    @Override
    protected Engine open(Clock clock) {
        return Engines.open(REDIS.server().uri() + "?mem-queue-size=100&tick=10ms&prefix=t" + (++opened), clock);
    }

    @Override
    protected Engine reopen() {
        engine.close();
        return Engines.open(REDIS.server().uri() + "?mem-queue-size=100&tick=10ms&prefix=t" + opened, clock);
    }
}
