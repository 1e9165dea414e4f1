package dev.ferry.internal.engine;

import dev.ferry.BusConfig;
import dev.ferry.spi.Engine;
import dev.ferry.spi.QueueStateConformanceTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedQueueStateConformanceTest extends QueueStateConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected BusConfig.Builder configBuilder() {
        return BusConfig.embedded(dir).minFreeDiskBytes(0);
    }

    @Override
    protected Engine open(BusConfig.Builder config) {
        return LocalEngine.open(config.build());
    }
}
