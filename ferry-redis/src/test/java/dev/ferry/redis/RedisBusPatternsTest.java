package dev.ferry.redis;

import dev.ferry.Bus;
import dev.ferry.BusConfig;
import dev.ferry.redis.testing.SharedRedisServer;
import dev.ferry.testing.BusPatternsContract;
import dev.ferry.testing.MutableClock;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The patterns on top of the Bus API (ack modes, dead letters, routing, request/reply, queues) over
 * an embedded bus whose engine is Redis, opened by URI as an application would.
 */
class RedisBusPatternsTest extends BusPatternsContract {
    @RegisterExtension
    static final SharedRedisServer REDIS = new SharedRedisServer();

    private static int opened;

    @Override
    protected Bus openBus(MutableClock clock) {
        return Bus.builder()
                .engine(REDIS.server().uri() + "?tick=10ms&prefix=p" + (++opened))
                .config(BusConfig.builder().clock(clock).build())
                .open();
    }
}
