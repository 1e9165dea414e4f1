package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry server --mqueue}: queues from flags, served at /rpc, kept in SQLite across a restart. */
class ServerMqueueTest {
    private static final Pattern HTTP = Pattern.compile("HTTP: listening on [^:]+:(\\d+)");

    @TempDir
    Path dir;

    /** Runs {@code ferry rpc} in-process; returns its output, failing on a non-zero exit. */
    private static String rpc(int port, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cmd = Ferry.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("rpc", "--http-address", "127.0.0.1:" + port));
        all.addAll(List.of(args));
        assertThat(cmd.execute(all.toArray(String[]::new))).as(err::toString).isZero();
        return out.toString().replaceAll("\\s+", "");
    }

    /** Starts the broker in a child JVM and waits for its HTTP port. */
    private static Process server(Path data, List<String> flags, int[] httpPort) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Ferry.class.getName(),
                "server",
                "--tcp-address=127.0.0.1:0",
                "--http-address=127.0.0.1:0",
                "--data-path",
                data.toString()));
        command.addAll(flags);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        httpPort[0] = CompletableFuture.supplyAsync(() -> {
                    try {
                        for (String line; (line = out.readLine()) != null; ) {
                            lines.add(line);
                            Matcher m = HTTP.matcher(line);
                            if (m.find()) {
                                return Integer.parseInt(m.group(1));
                            }
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    throw new IllegalStateException("server ended without listening: " + lines);
                })
                .get(60, TimeUnit.SECONDS);
        // keep draining its output so it never blocks on a full pipe
        Thread.ofVirtual().start(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        return process;
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy(); // SIGTERM: saves the queues
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void shouldServeFlagDefinedQueuesAndKeepDbmodeQueuesAcrossARestart() throws Exception {
        List<String> flags = List.of("--mqueue", "name=myq;size=3", "--mqueue", "name=kept;dbmode=1");
        int[] port = new int[1];
        Process first = server(dir, flags, port);
        try {
            for (int i = 1; i <= 5; i++) {
                rpc(port[0], "mqueue.add", "myq", "k" + i, "v" + i);
            }
            rpc(port[0], "mqueue.add", "kept", "call-1", "alice");
            rpc(port[0], "mqueue.add", "kept", "", "");
            assertThat(rpc(port[0], "mqueue.get_sizes"))
                    .isEqualTo("[{\"name\":\"kept\",\"size\":2},{\"name\":\"myq\",\"size\":3}]");
            stop(first);
        } finally {
            first.destroyForcibly();
        }
        assertThat(Files.exists(dir.resolve("mqueue.db"))).isTrue();
        Process second = server(dir, flags, port);
        try {
            assertThat(rpc(port[0], "mqueue.get_size", "myq")).isEqualTo("{\"name\":\"myq\",\"size\":0}");
            assertThat(rpc(port[0], "mqueue.fetch", "kept")).isEqualTo("{\"key\":\"call-1\",\"val\":\"alice\"}");
            assertThat(rpc(port[0], "mqueue.fetch", "kept")).isEqualTo("{\"key\":\"\",\"val\":\"\"}");
            stop(second);
        } finally {
            second.destroyForcibly();
        }
    }

    @Test
    void shouldRejectABadDefinitionAsAUsageError() {
        StringWriter err = new StringWriter();
        var cmd = Ferry.commandLine();
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("server", "--data-path", dir.toString(), "--mqueue", "size=3"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--mqueue: memory queue definition \"size=3\" has no name");
        assertThat(cmd.execute("server", "--data-path", dir.toString(), "--mqueue", "name=a", "--mqueue", "name=a"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("memory queue \"a\" is defined twice");
        assertThat(cmd.execute("server", "--data-path", dir.toString(), "--mqueue-db-url", "sqlite.db"))
                .isEqualTo(2);
    }
}
