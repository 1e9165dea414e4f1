package dev.ferry.internal.engine;

import dev.ferry.spi.Engine;
import dev.ferry.spi.Engines;
import dev.ferry.spi.QueueStateConformanceTest;
import java.time.Clock;

class InMemoryQueueStateConformanceTest extends QueueStateConformanceTest {
    @Override
    protected Engine open(Clock clock) {
        return Engines.open("memory:", clock);
    }
}
