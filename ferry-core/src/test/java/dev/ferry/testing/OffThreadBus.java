package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Bus;
import dev.ferry.BusConfig;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.bus.LocalBus;
import dev.ferry.internal.engine.LocalEngine;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Opens buses over the embedded engine behind an {@link OffThreadEngine}, for the bus-level contracts
 * run with stages that complete later, and checks afterwards that no dispatch thread waited on one.
 */
public final class OffThreadBus {
    private OffThreadEngine engine;

    /**
     * A bus with {@code config} over the embedded engine with {@code engineConfig}, every stage
     * completing on another thread.
     */
    public Bus open(EmbeddedEngineConfig engineConfig, BusConfig config) {
        engine = new OffThreadEngine(LocalEngine.open(engineConfig, config.clock()));
        return LocalBus.over(config, engine);
    }

    /**
     * A bus with the clock {@code clock} over the embedded engine in {@code dir} (free-disk check
     * off), every stage completing on another thread: what the off-thread contract tests run on.
     */
    public Bus open(Path dir, Clock clock) {
        return open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(),
                BusConfig.builder().clock(clock).build());
    }

    /** Fails when a thread that must not wait (a dispatch thread, an event loop) waited on a stage. */
    public void assertNothingWaited() {
        if (engine != null) {
            assertThat(engine.forbiddenWaits())
                    .as("threads that waited on an engine stage")
                    .isEmpty();
        }
    }
}
