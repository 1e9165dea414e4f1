package dev.ferry.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineConformanceTest;
import dev.ferry.spi.Engines;
import dev.ferry.testing.OffThreadEngine;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The conformance suite over the embedded engine behind {@link OffThreadEngine}: every stage completes later. */
class OffThreadEngineConformanceTest extends EngineConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected Engine open(Clock clock) {
        return new OffThreadEngine(Engines.open(
                "file:" + EmbeddedEngineConfig.fileLocation(dir) + "?min-free-disk-bytes=0&mem-queue-size=100", clock));
    }

    @Override
    protected Engine reopen() {
        engine.close();
        return open(clock);
    }

    @AfterEach
    void nothingWaitedWhereItMustNot() {
        assertThat(((OffThreadEngine) engine).forbiddenWaits()).isEmpty();
    }
}
