package dev.ferry.redis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Redis processes of one test: each started on a free loopback port in a temporary directory of
 * its own, all killed and their directories deleted by {@link #close} (register it as a JUnit
 * extension field or use try-with-resources, so they go even when the test fails).
 */
public final class RedisProcesses implements AutoCloseable {
    private final List<RedisProcess> started = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    /** Starts a {@code redis-server} with {@code extraArgs} (e.g. {@code "--requirepass", "s3cret"}). */
    public synchronized RedisProcess server(String... extraArgs) {
        RedisProcess p = RedisProcess.server(newDir("redis"), List.of(extraArgs));
        started.add(p);
        return p;
    }

    /** Starts a replica of {@code master}. */
    public synchronized RedisProcess replicaOf(RedisProcess master) {
        return server("--replicaof", "127.0.0.1", String.valueOf(master.port()));
    }

    /** Starts a {@code redis-sentinel} watching {@code master} as {@code masterName}. */
    public synchronized RedisProcess sentinel(String masterName, RedisProcess master, int quorum) {
        RedisProcess p = RedisProcess.sentinel(newDir("sentinel"), masterName, master.port(), quorum);
        started.add(p);
        return p;
    }

    private Path newDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory("ferry-" + prefix + "-");
            dirs.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills every process started here and deletes their directories. */
    @Override
    public synchronized void close() {
        for (RedisProcess p : started) {
            if (p.alive()) {
                p.kill();
            }
        }
        started.clear();
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is not worth failing a test for
            }
        }
        dirs.clear();
    }
}
