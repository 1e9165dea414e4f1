package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.nsq.testing.TestCertificates;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/** ferry server as a real process: started with flags or an option file, stopped with SIGTERM. */
class ServerCommandTest {
    private static final Pattern LISTENING = Pattern.compile("(TCP|HTTPS|HTTP): listening on [^:]+:(\\d+)");

    @TempDir
    Path dir;

    /** A broker process and what it printed until it listened on both ports. */
    record Broker(Process process, List<String> lines, int tcpPort, int httpPort, int httpsPort) {}

    /** Starts {@code ferry server args} in a JVM of its own and waits until it listens on TCP and HTTP. */
    private static Broker start(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path"),
                Ferry.class.getName(),
                "server"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        CompletableFuture<int[]> ports = CompletableFuture.supplyAsync(() -> {
            int[] found = new int[3];
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        // HTTPS, when there is one, is named before HTTP
                        found[List.of("TCP", "HTTP", "HTTPS").indexOf(m.group(1))] = Integer.parseInt(m.group(2));
                        if (found[0] != 0 && found[1] != 0) {
                            return found;
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("server ended without listening: " + lines);
        });
        try {
            int[] p = ports.get(30, TimeUnit.SECONDS);
            return new Broker(process, lines, p[0], p[1], p[2]);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** SIGTERM, then the exit code. */
    private static int stop(Broker broker) throws InterruptedException {
        broker.process().destroy();
        assertThat(broker.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        return broker.process().exitValue();
    }

    /** Publishes one message over the protocol and returns the response text. */
    private static String publish(int port, String topic, String body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.write(("  V2PUB " + topic + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            return readFrame(new DataInputStream(socket.getInputStream()));
        }
    }

    /** Sends IDENTIFY with feature negotiation and returns the server's answer. */
    private static JsonNode identify(int port, String json) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.write("  V2IDENTIFY\n".getBytes(StandardCharsets.UTF_8));
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            return new ObjectMapper().readTree(readFrame(new DataInputStream(socket.getInputStream())));
        }
    }

    private static String readFrame(DataInputStream in) throws IOException {
        int size = in.readInt();
        in.readInt();
        byte[] data = new byte[size - 4];
        in.readFully(data);
        return new String(data, StandardCharsets.UTF_8);
    }

    @Test
    void shouldServeOnAnEngineInMemoryAndKeepNothingOnDisk() throws Exception {
        Path unused = dir.resolve("unused");
        Broker broker = start(
                "-tcp-address=127.0.0.1:0",
                "--http-address",
                "127.0.0.1:0",
                "--engine",
                "memory:",
                "--data-path",
                unused.toString());
        try {
            assertThat(broker.lines()).contains("engine: memory:");
            assertThat(publish(broker.tcpPort(), "fleeting", "hello")).isEqualTo("OK");
            var stats = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.httpPort()
                                            + "/stats?format=json&topic=fleeting"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(new ObjectMapper()
                            .readTree(stats.body())
                            .path("topics")
                            .path(0)
                            .path("message_count")
                            .asLong())
                    .isEqualTo(1);
            assertThat(stop(broker)).isZero();
        } finally {
            broker.process().destroyForcibly();
        }
        assertThat(unused).as("a memory: engine writes nothing").doesNotExist();
    }

    @Test
    void shouldServeOnTheFileEngineItsUriNamesWithItsParameters() throws Exception {
        Path data = dir.resolve("by-uri");
        String uri = "file:" + data + "?sync=always&segment-bytes=1MiB";
        Broker broker = start("-tcp-address=127.0.0.1:0", "--http-address", "127.0.0.1:0", "--engine", uri);
        try {
            assertThat(broker.lines()).contains("engine: file:" + data);
            assertThat(publish(broker.tcpPort(), "kept", "hello")).isEqualTo("OK");
            assertThat(stop(broker)).isZero();
        } finally {
            broker.process().destroyForcibly();
        }
        try (dev.ferry.Bus bus = dev.ferry.Bus.open("file:" + data + "?min-free-disk-bytes=0")) {
            assertThat(bus.admin().topic("kept").map(t -> t.depth()))
                    .as("the message is in the directory --engine named")
                    .contains(1L);
        }
    }

    @Test
    void shouldStopCleanlyWithExitZeroOnSigterm() throws Exception {
        Broker broker =
                start("-tcp-address=127.0.0.1:0", "--http-address", "127.0.0.1:0", "--data-path", dir.toString());
        try {
            assertThat(publish(broker.tcpPort(), "kept", "hello")).isEqualTo("OK");
            var ping = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.httpPort() + "/ping"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ping.body()).isEqualTo("OK");
            assertThat(stop(broker)).isZero();
        } finally {
            broker.process().destroyForcibly();
        }
        // the message outlived the broker
        try (dev.ferry.Bus bus = dev.ferry.Bus.builder()
                .engine(dev.ferry.EmbeddedEngineConfig.file(dir)
                        .minFreeDiskBytes(0)
                        .build())
                .open()) {
            await().until(() -> bus.admin().topic("kept").map(t -> t.depth()).orElse(0L) == 1);
        }
    }

    @Test
    void shouldRunFromAnNsqdOptionFileWithFlagsOverridingItAndNameWhatItIgnores() throws Exception {
        Path data = dir.resolve("data");
        Path cfg = Files.writeString(
                dir.resolve("nsqd.cfg"), """
                tcp_address = "127.0.0.1:0"
                http_address = "127.0.0.1:0"
                data_path = "%s"
                sync_every = 100
                snappy = true
                deflate = false
                """.formatted(data.toString().replace("\\", "\\\\")));
        Broker broker = start("--config", cfg.toString(), "-snappy=false");
        try {
            assertThat(broker.lines())
                    .contains("ignoring flags Ferry does not apply: --sync-every=100 (Ferry syncs by its --sync"
                            + " policy and --sync-interval)");
            assertThat(publish(broker.tcpPort(), "configured", "hello")).isEqualTo("OK");
            JsonNode answer = identify(broker.tcpPort(), "{\"feature_negotiation\":true,\"snappy\":true}");
            assertThat(answer.get("snappy").asBoolean())
                    .as("-snappy=false beats the file")
                    .isFalse();
            answer = identify(broker.tcpPort(), "{\"feature_negotiation\":true,\"deflate\":true}");
            assertThat(answer.get("deflate").asBoolean())
                    .as("deflate = false in the file")
                    .isFalse();
            assertThat(stop(broker)).isZero();
        } finally {
            broker.process().destroyForcibly();
        }
        assertThat(data).isDirectory();
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
        TestCertificates.selfSigned("/CN=127.0.0.1", key, cert, "subjectAltName=IP:127.0.0.1");
        Broker broker = start(
                "--tcp-address=127.0.0.1:0",
                "--http-address=127.0.0.1:0",
                "-https-address=127.0.0.1:0",
                "--tls-cert=" + cert,
                "--tls-key=" + key,
                "-tls-required",
                "--data-path",
                dir.resolve("data").toString());
        try {
            javax.net.ssl.SSLContext trusting = javax.net.ssl.SSLContext.getInstance("TLS");
            trusting.init(
                    null, io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            var client =
                    java.net.http.HttpClient.newBuilder().sslContext(trusting).build();
            var ping = client.send(
                    java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create("https://127.0.0.1:" + broker.httpsPort() + "/ping"))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(ping.body()).isEqualTo("OK");
            var refused = client.send(
                    java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create("http://127.0.0.1:" + broker.httpPort() + "/ping"))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("\"https_port\": " + broker.httpsPort());
            assertThat(stop(broker)).isZero();
        } finally {
            broker.process().destroyForcibly();
        }
    }
}
