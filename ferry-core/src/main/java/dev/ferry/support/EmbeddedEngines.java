package dev.ferry.support;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.spi.Engine;

/**
 * Opens the embedded engine (durable under a data directory, or in memory) for a broker or a
 * benchmark that serves it over a protocol. Not for applications: they open a {@link dev.ferry.Bus}.
 */
public final class EmbeddedEngines {
    private EmbeddedEngines() {}

    /**
     * Opens the embedded engine with {@code config}: durable under its data directory, or in memory.
     * The caller owns the engine and closes it.
     *
     * @throws dev.ferry.StorageException when the directory is held by another process or has an
     *     unknown format
     */
    public static Engine open(EmbeddedEngineConfig config) {
        return LocalEngine.open(config);
    }
}
