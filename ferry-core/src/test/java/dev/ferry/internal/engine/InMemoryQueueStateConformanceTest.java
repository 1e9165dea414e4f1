package dev.ferry.internal.engine;

import dev.ferry.BusConfig;
import dev.ferry.spi.Engine;
import dev.ferry.spi.QueueStateConformanceTest;

class InMemoryQueueStateConformanceTest extends QueueStateConformanceTest {
    @Override
    protected BusConfig.Builder configBuilder() {
        return BusConfig.inMemory();
    }

    @Override
    protected Engine open(BusConfig.Builder config) {
        return LocalEngine.open(config.build());
    }
}
