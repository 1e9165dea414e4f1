package dev.ferry.redis.internal;

import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineProvider;
import dev.ferry.spi.EngineUri;
import java.time.Clock;
import java.util.Set;

/**
 * Opens the Redis engine by URI: {@code redis://}, {@code rediss://} (TLS), {@code
 * redis-sentinel://} and {@code redis-cluster://}, their settings read by {@link RedisSettings#parse}. Listed in ferry-redis's
 * {@code META-INF/services/dev.ferry.spi.EngineProvider}. Stateless and thread-safe.
 */
public final class RedisEngineProvider implements EngineProvider {
    /** Used by {@link java.util.ServiceLoader}. */
    public RedisEngineProvider() {}

    @Override
    public Set<String> schemes() {
        return RedisSettings.SCHEMES;
    }

    @Override
    public Set<String> parameters(String scheme) {
        return RedisSettings.PARAMETERS;
    }

    /**
     * The index, among {@code instances} Redis instances listed in the URI, of the one that holds
     * {@code topic}: the CRC-32 of the name's UTF-8 bytes modulo {@code instances}.
     */
    public static int instanceIndex(String topic, int instances) {
        return Placement.index(topic, instances);
    }

    @Override
    public Engine open(EngineUri uri, Clock clock) {
        return RedisEngine.open(RedisSettings.parse(uri), clock);
    }
}
