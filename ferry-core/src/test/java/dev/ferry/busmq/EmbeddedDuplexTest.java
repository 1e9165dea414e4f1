package dev.ferry.busmq;

import dev.ferry.Bus;
import dev.ferry.BusConfig;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDuplexTest extends DuplexContract {
    @TempDir
    Path dir;

    @Override
    protected Bus open(MutableClock clock) {
        return Bus.create(
                BusConfig.embedded(dir).minFreeDiskBytes(0).clock(clock).build());
    }
}
