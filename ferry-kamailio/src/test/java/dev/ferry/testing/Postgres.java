package dev.ferry.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The local PostgreSQL of the tests, started by the project's {@code .ci/postgres} (which .ci/run
 * installs the Debian package for): the JDBC URL of the test database, or empty when this machine
 * has no PostgreSQL binaries at all. Any other failure to start it fails the test.
 */
public final class Postgres {
    private static String url;
    private static boolean absent;

    private Postgres() {}

    /** The JDBC URL (with user and password), starting the cluster when needed; empty without binaries. */
    public static synchronized Optional<String> url() {
        if (url == null && !absent) {
            start();
        }
        return Optional.ofNullable(url);
    }

    /** Why {@link #url()} is empty, for the test's skip message. */
    public static String absentReason() {
        return "no PostgreSQL binaries on this machine (Debian package postgresql; .ci/run installs it)";
    }

    private static void start() {
        Path script = script();
        try {
            Process p = new ProcessBuilder("bash", script.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " did not finish in 120 s");
            }
            if (p.exitValue() == 3) {
                absent = true;
            } else if (p.exitValue() != 0 || !out.startsWith("jdbc:postgresql:")) {
                throw new IllegalStateException(script + " failed with exit " + p.exitValue() + ": " + out);
            } else {
                url = out;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting PostgreSQL", e);
        }
    }

    /** {@code .ci/postgres} of the checkout the tests run in (the module directory's parent). */
    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".ci/postgres");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no .ci/postgres above " + Path.of("").toAbsolutePath());
    }
}
