package dev.ferry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Fresh temporary data directories and message bodies for the benchmarks. */
final class DataDirs {
    private DataDirs() {}

    /** A new empty directory under the system temporary directory. */
    static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary data directory", e);
        }
    }

    /** Deletes {@code dir} and everything under it; a missing directory is fine. */
    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** A body of {@code size} pseudo-random bytes (fixed seed, so every run writes the same data). */
    static byte[] body(int size) {
        byte[] body = new byte[size];
        new SplittableRandom(42).nextBytes(body);
        return body;
    }

    /** {@code count} references to one body: the engine neither modifies nor keeps it beyond its cache. */
    static List<byte[]> batch(byte[] body, int count) {
        List<byte[]> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(body);
        }
        return List.copyOf(batch);
    }
}
