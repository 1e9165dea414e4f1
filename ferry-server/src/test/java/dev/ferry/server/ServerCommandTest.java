package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCommandTest {
    private static final Pattern LISTENING = Pattern.compile("TCP: listening on [^:]+:(\\d+)");

    @TempDir
    Path dir;

    /** Publishes one message over the protocol and returns the response text. */
    private static String publish(int port, String topic, String body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.write(("  V2PUB " + topic + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            in.readInt();
            byte[] data = new byte[size - 4];
            in.readFully(data);
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldAcceptNsqdFlagsInGoForms() {
        assertThat(GoDuration.parse("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        var cmd = Ferry.commandLine();
        cmd.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertThat(cmd.execute("server", "-msg-timeout", "5m", "--tcp-address=nonsense"))
                .isEqualTo(2);
        assertThat(cmd.execute("server", "--msg-timeout=tomorrow")).isEqualTo(2);
        assertThat(cmd.execute("server", "--no-such-flag")).isEqualTo(2);
        assertThat(cmd.execute("server", "-max-req-timeout=soon")).isEqualTo(2);
        assertThat(cmd.execute("server", "--max-rdy-count", "many")).isEqualTo(2);
        assertThat(cmd.execute("server", "--max-deflate-level=12")).isEqualTo(2);
        assertThat(cmd.execute("server", "--max-msg-size=10", "--max-body-size=5"))
                .isEqualTo(2);
    }

    @Test
    void shouldStopCleanlyWithExitZeroOnSigterm() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Ferry.class.getName(),
                        "server",
                        "-tcp-address=127.0.0.1:0",
                        "--http-address",
                        "127.0.0.1:0",
                        "--data-path",
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            return Integer.parseInt(m.group(1));
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                throw new IllegalStateException("server ended without listening: " + lines);
            });
            int tcpPort = port.get(30, TimeUnit.SECONDS);
            assertThat(publish(tcpPort, "kept", "hello")).isEqualTo("OK");
            String httpLine = CompletableFuture.supplyAsync(() -> {
                        try {
                            return out.readLine();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .get(30, TimeUnit.SECONDS);
            Matcher http = Pattern.compile("HTTP: listening on [^:]+:(\\d+)").matcher(httpLine);
            assertThat(http.find()).as(httpLine).isTrue();
            var client = HttpClient.newHttpClient();
            var ping = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.group(1) + "/ping"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ping.body()).isEqualTo("OK");
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
        }
        // the message outlived the broker
        try (dev.ferry.Bus bus = dev.ferry.Bus.create(
                dev.ferry.BusConfig.embedded(dir).minFreeDiskBytes(0).build())) {
            await().until(() -> bus.admin().topic("kept").map(t -> t.depth()).orElse(0L) == 1);
        }
    }
}
