package dev.ferry.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.BusConfig;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineConformanceTest;
import dev.ferry.testing.OffThreadEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The conformance suite over the embedded engine behind {@link OffThreadEngine}: every stage completes later. */
class OffThreadEngineConformanceTest extends EngineConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected BusConfig.Builder configBuilder() {
        return BusConfig.embedded(dir).minFreeDiskBytes(0);
    }

    @Override
    protected Engine open(BusConfig.Builder config) {
        return new OffThreadEngine(LocalEngine.open(config.build()));
    }

    @Override
    protected Engine reopen() {
        engine.close();
        return open(configBuilder().clock(clock).memQueueSize(100));
    }

    @AfterEach
    void nothingWaitedWhereItMustNot() {
        assertThat(((OffThreadEngine) engine).forbiddenWaits()).isEmpty();
    }
}
