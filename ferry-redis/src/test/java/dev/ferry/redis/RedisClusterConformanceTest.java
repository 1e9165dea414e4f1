package dev.ferry.redis;

import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineConformanceTest;
import dev.ferry.spi.Engines;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The engine conformance suite, unchanged, against a real three-master Redis Cluster ({@code
 * redis-cli --cluster create}) through {@code redis-cluster://}: every script runs in its topic's
 * slot, wherever that is. One cluster for the class; each test gets a key prefix of its own.
 */
class RedisClusterConformanceTest extends EngineConformanceTest {
    private static RedisProcesses processes;
    private static String seeds;
    private static int opened;

    @BeforeAll
    static void startCluster() {
        processes = new RedisProcesses();
        List<RedisProcess> nodes = processes.cluster(3);
        seeds = nodes.get(0).address() + "," + nodes.get(1).address();
    }

    @AfterAll
    static void stopCluster() {
        processes.close();
    }

    @Override
    protected Engine open(Clock clock) {
        return Engines.open("redis-cluster://" + seeds + "?mem-queue-size=100&tick=10ms&prefix=t" + (++opened), clock);
    }

    @Override
    protected Engine reopen() {
        engine.close();
        return Engines.open("redis-cluster://" + seeds + "?mem-queue-size=100&tick=10ms&prefix=t" + opened, clock);
    }
}
