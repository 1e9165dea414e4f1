package dev.ferry.internal.engine;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.Engine;
import dev.ferry.spi.QueueStateConformanceTest;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedQueueStateConformanceTest extends QueueStateConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected Engine open(Clock clock) {
        return LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(), clock);
    }
}
