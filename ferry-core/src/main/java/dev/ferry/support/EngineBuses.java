package dev.ferry.support;

import dev.ferry.Bus;
import dev.ferry.BusConfig;
import dev.ferry.internal.bus.LocalBus;
import dev.ferry.spi.Engine;

/**
 * A {@link Bus} over an engine a broker already serves, for what the broker does itself with the
 * bus API (the HTTP {@code /query} endpoint). Not for applications.
 */
public final class EngineBuses {
    private EngineBuses() {}

    /**
     * Opens a bus over {@code engine}, which stays its owner's: closing the bus leaves the engine
     * open. Of {@code config} only the limits, handler threads, pending bounds and clock apply; the
     * storage settings are the engine's.
     */
    public static Bus sharing(BusConfig config, Engine engine) {
        return LocalBus.sharing(config, engine);
    }
}
