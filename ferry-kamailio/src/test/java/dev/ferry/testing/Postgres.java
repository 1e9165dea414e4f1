package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private PostgreSQL server for the tests of one test JVM: {@code initdb} into a temporary
 * directory, the server on a free loopback port with its unix socket in that directory, stopped and
 * the directory deleted when the tests are over. Nothing of the machine's own PostgreSQL (its
 * clusters, roles or databases) is used or changed.
 *
 * <p>Use it as an extension: {@code @ExtendWith(Postgres.class)} starts the server once per test
 * JVM (in JUnit's root store, closed after the last test whether tests failed or not; a shutdown
 * hook stops it too if the JVM ends another way), then {@link #url()} gives its JDBC URL. Without
 * PostgreSQL's binaries ({@code /usr/lib/postgresql/<version>/bin} from Debian's {@code postgresql}
 * package, which {@code .ci/run} installs, or the directory in {@code FERRY_TEST_PG_BIN}) {@link
 * #url()} is empty and the tests skip; any other failure to start fails them.
 *
 * <p>{@code initdb} refuses to run as root: as root the server runs as the unprivileged user {@code
 * nobody} (through {@code runuser}), which then owns the temporary directory; as anyone else, as
 * that user.
 */
public final class Postgres implements BeforeAllCallback {
    private static final String RUN_AS_WHEN_ROOT = "nobody";
    private static final String SUPERUSER = "ferry";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Postgres.class);

    private static Server server;
    private static boolean absent;

    /** Starts the server for this JVM when it is not running yet (JUnit calls this). */
    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Server.class, k -> start(), Object.class);
    }

    /**
     * The JDBC URL of the private server (superuser {@code ferry}, database {@code postgres}), or
     * empty when this machine has no PostgreSQL binaries. Needs the extension to have run.
     */
    public static synchronized Optional<String> url() {
        if (server == null && !absent) {
            throw new IllegalStateException("the private PostgreSQL is not started: add @ExtendWith(Postgres.class)");
        }
        return Optional.ofNullable(server).map(Server::url);
    }

    /** Why {@link #url()} is empty, for the test's skip message. */
    public static String absentReason() {
        return "no PostgreSQL binaries on this machine (Debian package postgresql, which .ci/run installs;"
                + " or FERRY_TEST_PG_BIN)";
    }

    private static synchronized Object start() {
        if (server != null || absent) {
            return Optional.ofNullable(server).map(Object.class::cast).orElse("absent");
        }
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            absent = true;
            return "absent";
        }
        server = Server.start(bin.get());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "private-postgres-stop"));
        return server;
    }

    /** The newest {@code /usr/lib/postgresql/<version>/bin} with initdb and pg_ctl, or the override. */
    private static Optional<Path> binaries() {
        String override = System.getenv("FERRY_TEST_PG_BIN");
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override));
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(Postgres::versionOf));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    private static int versionOf(Path bin) {
        String name = bin.getParent().getFileName().toString();
        return name.matches("\\d+") ? Integer.parseInt(name) : 0;
    }

    /** One running server: its directory, port and how to stop it. Closing is idempotent. */
    private static final class Server implements ExtensionContext.Store.CloseableResource {
        private final Path bin;
        private final Path dir;
        private final boolean asRoot;
        private int port;
        private boolean stopped;

        private Server(Path bin, Path dir, boolean asRoot) {
            this.bin = bin;
            this.dir = dir;
            this.asRoot = asRoot;
        }

        static Server start(Path bin) {
            Path dir;
            boolean asRoot;
            try {
                dir = Files.createTempDirectory("ferry-test-postgres-");
                // the directory is this process's: its owner's uid is ours
                asRoot = ((Integer) Files.getAttribute(dir, "unix:uid")) == 0;
                if (asRoot) {
                    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                    Files.setOwner(dir, users.lookupPrincipalByName(RUN_AS_WHEN_ROOT));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the private PostgreSQL's directory", e);
            }
            Server s = new Server(bin, dir, asRoot);
            try {
                s.run(
                        "initdb",
                        List.of(
                                "-D",
                                s.data().toString(),
                                "-U",
                                SUPERUSER,
                                "--auth=trust",
                                "-E",
                                "UTF8",
                                "--no-locale",
                                "--no-sync"));
                // a free port can be taken between the probe and the server's bind: try a few
                IllegalStateException last = null;
                for (int attempt = 0; attempt < 3; attempt++) {
                    s.port = freePort();
                    try {
                        s.run(
                                "pg_ctl",
                                List.of(
                                        "-D",
                                        s.data().toString(),
                                        "-l",
                                        dir.resolve("server.log").toString(),
                                        "-w",
                                        "-t",
                                        "60",
                                        "-o",
                                        "-p " + s.port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                                                + " -c fsync=off -c full_page_writes=off",
                                        "start"));
                        return s;
                    } catch (IllegalStateException e) {
                        last = e;
                    }
                }
                throw last;
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + SUPERUSER;
        }

        private Path data() {
            return dir.resolve("data");
        }

        @Override
        public synchronized void close() {
            if (stopped) {
                return;
            }
            stopped = true;
            try {
                if (Files.exists(data().resolve("postmaster.pid"))) {
                    run("pg_ctl", List.of("-D", data().toString(), "-m", "fast", "-w", "-t", "60", "stop"));
                }
            } finally {
                deleteTree(dir);
            }
        }

        /** Runs one of the binaries (as {@code nobody} when root); fails with its output. */
        private void run(String program, List<String> args) {
            List<String> command = new ArrayList<>();
            if (asRoot) {
                command.addAll(List.of("runuser", "-u", RUN_AS_WHEN_ROOT, "--"));
            }
            command.add(bin.resolve(program).toString());
            command.addAll(args);
            try {
                Process p = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(program + " did not finish in 120 s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(
                            program + " failed with exit " + p.exitValue() + ": " + out.strip() + serverLog());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + command, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + program, e);
            }
        }

        private String serverLog() {
            try {
                Path log = dir.resolve("server.log");
                return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
            } catch (IOException e) {
                return "";
            }
        }

        private static int freePort() {
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return probe.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
        }

        private static void deleteTree(Path root) {
            if (!Files.exists(root)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the private PostgreSQL's directory " + root, e);
            }
        }
    }
}
