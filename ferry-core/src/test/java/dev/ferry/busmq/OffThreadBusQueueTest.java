package dev.ferry.busmq;

import dev.ferry.Bus;
import dev.ferry.testing.MutableClock;
import dev.ferry.testing.OffThreadBus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The busmq contract over an engine whose every stage completes later, on another thread. */
class OffThreadBusQueueTest extends BusQueueContract {
    @TempDir
    Path dir;

    private final OffThreadBus buses = new OffThreadBus();

    @Override
    protected Bus open(MutableClock clock) {
        return buses.open(dir, clock);
    }

    @AfterEach
    void nothingWaited() {
        buses.assertNothingWaited();
    }
}
