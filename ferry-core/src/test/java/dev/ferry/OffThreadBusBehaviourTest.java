package dev.ferry;

import dev.ferry.testing.OffThreadBus;
import org.junit.jupiter.api.AfterEach;

/** The bus's behaviour over an engine whose every stage completes later, on another thread. */
class OffThreadBusBehaviourTest extends BusBehaviourTest {
    private final OffThreadBus buses = new OffThreadBus();

    @Override
    protected Bus openBus(EmbeddedEngineConfig engine, BusConfig config) {
        return buses.open(engine, config);
    }

    @AfterEach
    void nothingWaited() {
        buses.assertNothingWaited();
    }
}
