package dev.ferry.busmq;

import dev.ferry.Bus;
import dev.ferry.BusConfig;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDuplexTest extends DuplexContract {
    @TempDir
    Path dir;

    @Override
    protected Bus open(MutableClock clock) {
        return Bus.builder()
                .engine(EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build())
                .config(BusConfig.builder().clock(clock).build())
                .open();
    }
}
