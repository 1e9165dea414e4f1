package dev.ferry.internal.engine;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineConformanceTest;
import dev.ferry.spi.Engines;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The conformance suite against the embedded engine in a data directory, opened by its URI. */
class EmbeddedEngineConformanceTest extends EngineConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected Engine open(Clock clock) {
        return Engines.open(
                "file:" + EmbeddedEngineConfig.fileLocation(dir) + "?min-free-disk-bytes=0&mem-queue-size=100", clock);
    }

    @Override
    protected Engine reopen() {
        engine.close();
        return open(clock);
    }
}
