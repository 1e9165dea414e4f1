package dev.ferry;

import dev.ferry.testing.BusPatternsContract;
import dev.ferry.testing.MutableClock;
import dev.ferry.testing.OffThreadBus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The patterns over an engine whose every stage completes later, on another thread. */
class OffThreadBusPatternsTest extends BusPatternsContract {
    @TempDir
    Path dir;

    private final OffThreadBus buses = new OffThreadBus();

    @Override
    protected Bus openBus(MutableClock clock) {
        return buses.open(dir, clock);
    }

    @AfterEach
    void nothingWaited() {
        buses.assertNothingWaited();
    }
}
