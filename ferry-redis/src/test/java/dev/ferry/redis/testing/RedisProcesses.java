package dev.ferry.redis.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        return sentinel(Map.of(masterName, master), quorum);
    }

    /** Starts a {@code redis-sentinel} watching every master of {@code masters} (by name). */
    public synchronized RedisProcess sentinel(Map<String, RedisProcess> masters, int quorum) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        masters.forEach((name, master) -> ports.put(name, master.port()));
        RedisProcess p = RedisProcess.sentinel(newDir("sentinel"), ports, quorum);
        started.add(p);
        return p;
    }

    /**
     * Starts {@code masters} {@code redis-server}s in cluster mode and joins them into one Redis
     * Cluster with {@code redis-cli --cluster create} (no replicas); returns once every slot is
     * served ({@code cluster_state:ok} on every node).
     */
    public synchronized List<RedisProcess> cluster(int masters) {
        List<RedisProcess> nodes = new ArrayList<>();
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        for (int i = 0; i < masters; i++) {
            RedisProcess node = server("--cluster-enabled", "yes", "--cluster-node-timeout", "2000");
            nodes.add(node);
            create.add(node.address());
        }
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Path dir = newDir("cluster-create");
        try {
            Process p = new ProcessBuilder(create)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("create.log").toFile())
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.log")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-cli (is redis-tools installed? .ci/run installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (RedisProcess node : nodes) {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> node.info("cluster").contains("cluster_enabled:1")
                            && clusterState(node).contains("cluster_state:ok"));
        }
        return nodes;
    }

    private static String clusterState(RedisProcess node) {
        return node.bulk("CLUSTER", "INFO");
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
