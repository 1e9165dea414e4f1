package dev.ferry.redis;

import dev.ferry.Bus;
import dev.ferry.BusConfig;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import dev.ferry.testing.BusPatternsContract;
import dev.ferry.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The patterns on top of the Bus API (ack modes, dead letters, routing, request/reply, queues) over
 * an embedded bus whose engine is Redis, opened by URI as an application would.
 */
class RedisBusPatternsTest extends BusPatternsContract {
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
    protected Bus openBus(MutableClock clock) {
        return Bus.builder()
                .engine(redis.uri() + "?tick=10ms&prefix=p" + (++opened))
                .config(BusConfig.builder().clock(clock).build())
                .open();
    }
}
