package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ferry on the packaged ferry.jar (a copy, in a checkout of its own): stdout carries exactly what
 * the command prints, on the first start (which makes the start-up cache), after the jar changes
 * (which makes it again, for the new jar) and with the cache in use. Tagged "launcher": Maven runs it
 * after the package phase (mvn verify), when target/ferry.jar exists.
 */
@Tag("launcher")
class LauncherTest {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path JAR = MODULE.resolve("target/ferry.jar");

    @TempDir
    Path checkout;

    private Path jar;

    @BeforeEach
    void copyTheLauncherAndTheJar() throws IOException {
        Path bin = Files.createDirectories(checkout.resolve("bin"));
        for (String script : List.of("ferry", "find-jdk", "startup-cache")) {
            Files.copy(
                    MODULE.resolveSibling("bin").resolve(script),
                    bin.resolve(script),
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
        jar = Files.createDirectories(checkout.resolve("ferry-server/target")).resolve("ferry.jar");
        Files.copy(JAR, jar);
    }

    @Test
    void shouldPrintOnlyTheCommandsOutputAcrossAChangeOfTheJar() throws Exception {
        // a command that goes through picocli, so through the cache: its help
        Run uncached = ferry(Map.of("FERRY_STARTUP_CACHE", "off"), "pub", "--help");
        assertThat(uncached.exitCode()).as("stderr: %s", uncached.stderr()).isZero();
        List<String> help = uncached.stdout();
        assertThat(help).first().asString().startsWith("Usage: ferry pub");

        Run first = ferry(Map.of(), "pub", "--help");
        assertThat(first.exitCode()).as("stderr: %s", first.stderr()).isZero();
        assertThat(first.stdout()).isEqualTo(help);
        assertThat(jvmLogLines(first.stderr())).isEmpty();
        List<Path> firstCache = caches();
        assertThat(firstCache).as("stderr: %s", first.stderr()).hasSize(1);

        changeTheJar();
        Run afterChange = ferry(Map.of(), "pub", "--help");
        assertThat(afterChange.exitCode())
                .as("stderr: %s", afterChange.stderr())
                .isZero();
        assertThat(afterChange.stdout()).isEqualTo(help);
        assertThat(jvmLogLines(afterChange.stderr())).isEmpty();
        assertThat(caches())
                .as("a cache for the new jar, in place of the old one; stderr: %s", afterChange.stderr())
                .hasSize(1)
                .doesNotContainAnyElementsOf(firstCache);
        String newJar = caches().getFirst().toString().replaceFirst("\\.(aot|jsa)$", "");
        assertThat(quickCaches())
                .as("at most the quick commands' cache of the new jar")
                .allMatch(q -> q.toString().equals(newJar + ".quick.aot"));

        // A cache the JVM cannot use is fatal in this mode: it proves the new one fits the new jar.
        Run strict = ferry(Map.of("FERRY_JAVA_OPTS", strictCacheOption(caches().getFirst())), "pub", "--help");
        assertThat(strict.exitCode()).as("stderr: %s", strict.stderr()).isZero();
        assertThat(strict.stdout()).isEqualTo(help);
        assertThat(strict.stderr()).as("nothing made this time").isEmpty();
    }

    @Test
    void shouldAnswerTheVersionWithoutMakingOrUsingTheCache() throws Exception {
        Run run = ferry(Map.of(), "--version");

        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).containsExactly(new FerryVersion().getVersion());
        assertThat(run.stderr()).as("no cache made, no JVM line").isEmpty();
        assertThat(caches()).isEmpty();
    }

    @Test
    void shouldAnswerTheVersionFromTheQuickCommandsOwnCacheOnceMade() throws Exception {
        Run making = ferry(Map.of(), "pub", "--help");
        assertThat(making.exitCode()).as("stderr: %s", making.stderr()).isZero();
        Assumptions.assumeTrue(
                caches().getFirst().toString().endsWith(".aot"), "the quick commands' cache needs JDK 25's AOT cache");
        assertThat(quickCaches()).as("stderr: %s", making.stderr()).hasSize(1);

        // strict: the JVM fails unless it is given a cache it can use
        Run run = ferry(Map.of("FERRY_JAVA_OPTS", "-XX:AOTMode=on"), "--version");

        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).containsExactly(new FerryVersion().getVersion());
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void shouldStartWithoutTheCacheWhenToldTo() throws Exception {
        Run run = ferry(Map.of("FERRY_STARTUP_CACHE", "off"), "pub", "--help");

        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).first().asString().startsWith("Usage: ferry pub");
        assertThat(run.stderr()).isEmpty();
        assertThat(caches()).isEmpty();
    }

    /** The JVM option that makes an unusable cache an error rather than a slower start. */
    private static String strictCacheOption(Path cache) {
        return cache.toString().endsWith(".aot") ? "-XX:AOTMode=on" : "-Xshare:on";
    }

    /** Lines the JVM's unified logging writes ({@code [0.123s][warning][cds] ...}). */
    private static List<String> jvmLogLines(List<String> lines) {
        return lines.stream().filter(l -> l.matches("^\\[[^]]*]\\[\\w+ *].*")).toList();
    }

    /** The server's caches (not the quick commands'). */
    private List<Path> caches() throws IOException {
        return cacheFiles().stream()
                .filter(f -> !f.toString().endsWith(".quick.aot"))
                .toList();
    }

    /** The quick commands' caches (JDK 25 and newer). */
    private List<Path> quickCaches() throws IOException {
        return cacheFiles().stream()
                .filter(f -> f.toString().endsWith(".quick.aot"))
                .toList();
    }

    private List<Path> cacheFiles() throws IOException {
        Path dir = jar.resolveSibling("startup-cache");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(
                            f -> f.toString().endsWith(".aot") || f.toString().endsWith(".jsa"))
                    .sorted()
                    .toList();
        }
    }

    /** Rewrites the jar with one more entry, as a rebuild would: new size, new modification time. */
    private void changeTheJar() throws IOException {
        Path changed = jar.resolveSibling("changed.jar");
        try (ZipFile in = new ZipFile(jar.toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(changed))) {
            for (ZipEntry entry : Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream body = in.getInputStream(entry)) {
                    body.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("dev/ferry/server/rebuilt.txt"));
            out.write("rebuilt\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        Files.move(changed, jar, StandardCopyOption.REPLACE_EXISTING);
        // a later second than the first jar's, whatever the file system's time resolution
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(2)));
    }

    private record Run(int exitCode, List<String> stdout, List<String> stderr) {}

    private Run ferry(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(checkout.resolve("bin/ferry").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("FERRY_JAVA_OPTS");
        builder.environment().remove("FERRY_STARTUP_CACHE");
        builder.environment().putAll(env);
        Process process = builder.start();
        try (OutputStream stdin = process.getOutputStream()) {
            // nothing to say
        }
        CompletableFuture<List<String>> stdout = lines(process.getInputStream());
        CompletableFuture<List<String>> stderr = lines(process.getErrorStream());
        try {
            // the first start of a jar includes the training run that makes its cache
            assertThat(process.waitFor(5, TimeUnit.MINUTES))
                    .as("bin/ferry ended")
                    .isTrue();
            return new Run(process.exitValue(), stdout.get(), stderr.get());
        } finally {
            process.destroyForcibly();
        }
    }

    private static CompletableFuture<List<String>> lines(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
