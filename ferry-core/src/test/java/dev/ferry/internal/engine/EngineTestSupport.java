package dev.ferry.internal.engine;

import static dev.ferry.testing.Stages.done;

import dev.ferry.ChannelStats;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Small helpers shared by the engine's tests. */
final class EngineTestSupport {
    private EngineTestSupport() {}

    /** A lease's body as UTF-8 text. */
    static String text(Lease lease) {
        return new String(lease.body(), StandardCharsets.UTF_8);
    }

    /** Appends and waits, throwing what the engine's future failed with (unwrapped). */
    static void store(Engine engine, String topic, java.util.List<dev.ferry.spi.PublishRecord> batch) {
        try {
            engine.append(topic, batch).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The statistics of one channel. */
    static ChannelStats channel(Engine engine, String topic, String channel) {
        return done(engine.stats(topic)).orElseThrow().channels().stream()
                .filter(c -> c.name().equals(channel))
                .findFirst()
                .orElseThrow();
    }

    /** The oldest segment file of a topic in a data directory. */
    static Path firstSegment(Path dataDir, String topic) throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("topics/t-" + topic))) {
            return files.filter(p -> p.toString().endsWith(SegmentedLog.SUFFIX))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
    }
}
