package dev.ferry.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.AuthSettings;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.nsq.TlsSettings;
import dev.ferry.nsq.testing.TestAuthService;
import dev.ferry.nsq.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real nsqjs client (from the npm registry, installed by this test into target/nsqjs) publishes
 * to and consumes from Ferry's TCP server.
 */
class NsqjsInteropTest {
    private static final Path WORK = Path.of("target", "nsqjs");

    @TempDir
    Path dir;

    /** Installs nsqjs and the scripts into target/nsqjs (npm runs only the first time). */
    @BeforeAll
    static void installNsqjs() throws Exception {
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "interop.js", "behaviours.js", "discovery.js")) {
            try (InputStream in = NsqjsInteropTest.class.getResourceAsStream("/nsqjs/" + file)) {
                Files.copy(in, WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!Files.isDirectory(WORK.resolve("node_modules/nsqjs"))) {
            run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), 300);
        }
    }

    /** Runs a script in the nsqjs directory; its output, or a failure with it when it exits non-zero. */
    static String run(List<String> command, int seconds) throws IOException, InterruptedException {
        return run(command, seconds, "{}");
    }

    private static String run(List<String> command, int seconds, String nsqjsOptions)
            throws IOException, InterruptedException {
        return run(command, seconds, nsqjsOptions, 0);
    }

    private static String run(List<String> command, int seconds, String nsqjsOptions, int statsPort)
            throws IOException, InterruptedException {
        return run(command, seconds, nsqjsOptions, statsPort, false);
    }

    /** Runs a script; it asks for the stats on {@code statsPort} (0: it does not) over HTTPS when told. */
    private static String run(
            List<String> command, int seconds, String nsqjsOptions, int statsPort, boolean statsOverHttps)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true);
        builder.environment().put("NSQJS_OPTS", nsqjsOptions);
        if (statsPort > 0) {
            builder.environment().put("STATS_PORT", String.valueOf(statsPort));
        }
        if (statsOverHttps) {
            builder.environment().put("STATS_HTTPS", "1");
        }
        Process p = builder.start();
        p.getOutputStream().close();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in " + seconds + " s");
            }
            out = in.readAllBytes();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    @Test
    void shouldCarryMessagesBetweenNsqjsWriterAndReader() throws Exception {
        try (Broker b = broker(null, null)) {
            String output =
                    run(List.of("node", "interop.js", String.valueOf(b.tcp().port()), "100"), 60);
            assertCarried(b.engine(), output);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"snappy\":true}",
                "{\"deflate\":true}",
                "{\"deflate\":true,\"deflateLevel\":1}",
                "{\"tls\":true,\"tlsVerification\":false}",
                "{\"tls\":true,\"tlsVerification\":false,\"snappy\":true}",
                "{\"tls\":true,\"tlsVerification\":false,\"deflate\":true}"
            })
    void shouldSpeakCompressedAndOverTlsWithNsqjs(String options) throws Exception {
        try (Broker b = broker(tlsSettings(), null)) {
            // nsqjs writes its FINs through its compressor but closes past it: the script waits
            // for the broker to have them all before it closes
            String output = run(
                    List.of("node", "interop.js", String.valueOf(b.tcp().port()), "100"),
                    60,
                    options,
                    b.http().port());
            assertCarried(b.engine(), output);
        }
    }

    @Test
    void shouldServeNsqjsWhenTlsIsRequired() throws Exception {
        // required for HTTP too: the script asks for the stats over HTTPS
        try (Broker b = broker(tlsSettings().withRequired(TlsSettings.Required.YES), null)) {
            String output = run(
                    List.of("node", "interop.js", String.valueOf(b.tcp().port()), "100"),
                    60,
                    "{\"tls\":true,\"tlsVerification\":false}",
                    b.https().port(),
                    true);
            assertCarried(b.engine(), output);
        }
    }

    @Test
    void shouldLetNsqjsFindTheNodeThroughItsLookupdEndpoints() throws Exception {
        try (Broker b = broker(null, null)) {
            String output = run(
                    List.of(
                            "node",
                            "interop.js",
                            String.valueOf(b.tcp().port()),
                            "100",
                            String.valueOf(b.http().port())),
                    60);
            assertCarried(b.engine(), output);
        }
    }

    @Test
    void shouldRequeueWithADelayTouchAndPauseForNsqjs() throws Exception {
        try (Broker b = broker(null, null)) {
            String output = run(
                    List.of(
                            "node",
                            "behaviours.js",
                            String.valueOf(b.tcp().port()),
                            String.valueOf(b.http().port())),
                    60);
            JsonNode result = new ObjectMapper()
                    .readTree(output.strip()
                            .lines()
                            .reduce((first, second) -> second)
                            .orElse(""));
            assertThat(result.get("errors")).as(output).isEmpty();
            assertThat(result.get("requeueDelayMs").asLong()).isGreaterThanOrEqualTo(950);
            assertThat(result.get("attemptsAfterRequeue").asInt()).isEqualTo(2);
            assertThat(result.get("pausedDelivered").asBoolean()).isFalse();
            assertThat(result.get("deliveredAfterUnpause").asBoolean()).isTrue();
            var channel =
                    done(b.engine().stats("behave")).orElseThrow().channels().get(0);
            assertThat(channel.requeueCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldAuthenticateNsqjsAgainstAnAuthService() throws Exception {
        try (TestAuthService authService = TestAuthService.start(
                        Map.of(
                                "s3cret",
                                "{\"ttl\":3600,\"identity\":\"nsqjs\",\"authorizations\":[{\"topic\":\"^interop$\","
                                        + "\"channels\":[\".*\"],\"permissions\":[\"subscribe\",\"publish\"]}]}"),
                        "{}");
                Broker b = broker(null, authService.client())) {
            String output = run(
                    List.of("node", "interop.js", String.valueOf(b.tcp().port()), "100"),
                    60,
                    "{\"authSecret\":\"s3cret\"}");
            assertCarried(b.engine(), output);
        }
    }

    /**
     * A durable engine with the TCP protocol and the HTTP API (which answers lookups) on loopback,
     * and HTTPS when there is TLS (null otherwise).
     */
    record Broker(LocalEngine engine, NsqTcpServer tcp, NsqTcpServer http, NsqTcpServer https)
            implements AutoCloseable {
        @Override
        public void close() {
            http.close();
            if (https != null) {
                https.close();
            }
            tcp.close();
            engine.close();
        }
    }

    /** Starts a broker, with TLS and auth when given (null: none). */
    private Broker broker(TlsSettings tls, AuthSettings auth) {
        LocalEngine engine = LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build());
        Map<String, Object> info = new ConcurrentHashMap<>();
        NsqTcpServer.Builder servers =
                NsqTcpServer.builder(engine).tls(tls).auth(auth).info(info);
        NsqTcpServer tcp = servers.startTcp("127.0.0.1", 0);
        NsqTcpServer https = tls == null ? null : servers.startHttps("127.0.0.1", 0);
        NsqTcpServer http = servers.httpsPort(https == null ? 0 : https.port()).startHttp("127.0.0.1", 0);
        info.put("broadcast_address", "127.0.0.1");
        info.put("hostname", "127.0.0.1");
        info.put("tcp_port", tcp.port());
        info.put("http_port", http.port());
        return new Broker(engine, tcp, http, https);
    }

    /** TLS with a self-signed certificate made with openssl for these tests. */
    private static TlsSettings tlsSettings() throws Exception {
        Path dir = WORK.resolve("tls");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        if (!Files.exists(cert)) {
            Files.createDirectories(dir);
            TestCertificates.selfSigned("/CN=127.0.0.1", key.toAbsolutePath(), cert.toAbsolutePath());
        }
        return TlsSettings.of(cert, key);
    }

    /** nsqjs published and received all 100 messages, and the channel is drained. */
    private static void assertCarried(LocalEngine engine, String output) throws Exception {
        String last = output.strip().lines().reduce((first, second) -> second).orElse("");
        JsonNode result = new ObjectMapper().readTree(last);
        assertThat(result.get("errors")).as(output).isEmpty();
        assertThat(result.get("published").asInt()).isEqualTo(100);
        assertThat(result.get("received").asInt()).isEqualTo(100);
        assertThat(result.get("ok").asBoolean()).isTrue();
        await().untilAsserted(() -> {
            var channel = done(engine.stats("interop")).orElseThrow().channels().get(0);
            assertThat(channel.messageCount()).isEqualTo(100);
            assertThat(channel.depth()).as(channel.toString()).isZero();
            assertThat(channel.inFlight()).isZero();
            assertThat(channel.requeueCount()).isZero();
        });
    }
}
