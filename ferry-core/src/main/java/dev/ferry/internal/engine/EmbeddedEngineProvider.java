package dev.ferry.internal.engine;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineProvider;
import dev.ferry.spi.EngineUri;
import java.time.Clock;
import java.util.Set;

/**
 * Opens the embedded engine by URI: {@code file:DIR} (durable in a data directory) and {@code
 * memory:} (in memory), their settings read by {@link EmbeddedEngineConfig#parse(EngineUri)}. Listed
 * in ferry-core's {@code META-INF/services/dev.ferry.spi.EngineProvider}. Stateless and thread-safe.
 */
public final class EmbeddedEngineProvider implements EngineProvider {
    /** Used by {@link java.util.ServiceLoader}. */
    public EmbeddedEngineProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("file", "memory");
    }

    @Override
    public Set<String> parameters(String scheme) {
        return scheme.equals("memory") ? EmbeddedEngineConfig.MEMORY_PARAMETERS : EmbeddedEngineConfig.FILE_PARAMETERS;
    }

    @Override
    public Engine open(EngineUri uri, Clock clock) {
        return LocalEngine.open(EmbeddedEngineConfig.parse(uri), clock);
    }
}
