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

    @Test
    void shouldRefuseTlsFlagsThatCannotWork() {
        var cmd = Ferry.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cmd.setErr(new java.io.PrintWriter(err));
        assertThat(cmd.execute("server", "--tls-required=maybe")).isEqualTo(2);
        assertThat(cmd.execute("server", "-tls-required")).isEqualTo(2);
        assertThat(err.toString()).contains("cannot require TLS client connections without --tls-cert and --tls-key");
        assertThat(cmd.execute("server", "--tls-client-auth-policy=require")).isEqualTo(2);
        assertThat(cmd.execute("server", "--tls-min-version", "ssl3.0")).isEqualTo(2);
        assertThat(cmd.execute("server", "--tls-cert", dir.resolve("none.pem").toString(), "--tls-key", "none.key"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("none.pem");
    }

    @Test
    void shouldServeHttpsAndRefusePlainHttpWhenTlsIsRequired() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:prime256v1",
                        "-nodes",
                        "-days",
                        "1",
                        "-subj",
                        "/CN=127.0.0.1",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString())
                .redirectErrorStream(true)
                .start();
        openssl.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(openssl.waitFor()).isZero();
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Ferry.class.getName(),
                        "server",
                        "--tcp-address=127.0.0.1:0",
                        "--http-address=127.0.0.1:0",
                        "-https-address=127.0.0.1:0",
                        "--tls-cert=" + cert,
                        "--tls-key=" + key,
                        "-tls-required",
                        "--data-path",
                        dir.resolve("data").toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("(HTTPS?): listening on [^:]+:(\\d+)");
            CompletableFuture<java.util.Map<String, Integer>> ports = CompletableFuture.supplyAsync(() -> {
                java.util.Map<String, Integer> found = new java.util.HashMap<>();
                List<String> lines = new ArrayList<>();
                try {
                    for (String line; found.size() < 2 && (line = out.readLine()) != null; ) {
                        lines.add(line);
                        Matcher m = listening.matcher(line);
                        if (m.find()) {
                            found.put(m.group(1), Integer.parseInt(m.group(2)));
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                if (found.size() < 2) {
                    throw new IllegalStateException("server ended without listening on HTTP and HTTPS: " + lines);
                }
                return found;
            });
            java.util.Map<String, Integer> port = ports.get(30, TimeUnit.SECONDS);
            javax.net.ssl.SSLContext trusting = javax.net.ssl.SSLContext.getInstance("TLS");
            trusting.init(
                    null, io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            var client = HttpClient.newBuilder().sslContext(trusting).build();
            var ping = client.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port.get("HTTPS") + "/ping"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ping.body()).isEqualTo("OK");
            var refused = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.get("HTTP") + "/ping"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("\"https_port\": " + port.get("HTTPS"));
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
    }
}
