package dev.ferry.bench.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * What every row shares: the server jar, the run's working directory (one sub-directory per row),
 * the seed its random choices come from, and the time each row may take.
 *
 * @param jar {@code ferry-server/target/ferry.jar}
 * @param work the run's working directory
 * @param seed the seed printed at the start; the same seed makes the same choices
 * @param secondsPerRow how long the rows that run for a while (kill loop, slow consumer) run
 * @param brokerJvm options for each broker's JVM
 */
record Run(Path jar, Path work, long seed, int secondsPerRow, List<String> brokerJvm) {
    /** A fresh directory {@code work/name}. */
    Path dir(String name) throws java.io.IOException {
        Path d = work.resolve(name);
        Files.createDirectories(d);
        return d;
    }

    /** A generator for one row, seeded from the run's seed and the row's name. */
    Random random(String row) {
        return new Random(seed ^ row.hashCode());
    }

    /** A broker over {@code data}, logging to {@code broker.log} beside it. */
    Broker broker(Path data, String... flags) throws Exception {
        return brokerLoggingTo(data.toAbsolutePath().getParent().resolve("broker.log"), data, flags);
    }

    Broker brokerLoggingTo(Path log, Path data, String... flags) throws Exception {
        return Broker.start(jar, data, log, brokerJvm, flags);
    }
}
