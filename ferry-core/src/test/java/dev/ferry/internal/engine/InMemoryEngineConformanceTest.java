package dev.ferry.internal.engine;

import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineConformanceTest;
import dev.ferry.spi.Engines;
import java.time.Clock;

/** The conformance suite against the embedded engine in memory, opened by its URI. */
class InMemoryEngineConformanceTest extends EngineConformanceTest {
    @Override
    protected Engine open(Clock clock) {
        return Engines.open("memory:?mem-queue-size=100", clock);
    }
}
