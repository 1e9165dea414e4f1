package dev.ferry;

import dev.ferry.testing.BusPatternsContract;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The patterns over the embedded bus. */
class EmbeddedBusPatternsTest extends BusPatternsContract {
    @TempDir
    Path dir;

    @Override
    protected Bus openBus(MutableClock clock) {
        return Bus.create(
                BusConfig.embedded(dir).clock(clock).minFreeDiskBytes(0).build());
    }
}
