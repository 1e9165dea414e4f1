package dev.ferry.nsq;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.TlsSettings.ClientAuthPolicy;
import dev.ferry.nsq.TlsSettings.Required;
import dev.ferry.nsq.TlsSettings.Version;
import dev.ferry.nsq.testing.TestCertificates;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS as nsqd offers it, over loopback sockets: required TLS, client certificates, HTTPS. */
class TlsTest {
    @TempDir
    static Path certDir;

    private static TestCertificates certs;

    private final LocalEngine engine =
            LocalEngine.open(EmbeddedEngineConfig.memory().build());
    private final List<AutoCloseable> started = new java.util.ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create(certDir);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : started.reversed()) {
            c.close();
        }
        engine.close();
    }

    private TlsSettings settings() {
        return TlsSettings.of(certs.serverCert(), certs.serverKey());
    }

    private <T extends AutoCloseable> T started(T closeable) {
        started.add(closeable);
        return closeable;
    }

    /** A protocol V2 client that can upgrade its connection to TLS. */
    private static final class Client implements AutoCloseable {
        private final Socket plain;
        private Socket socket;
        private DataOutputStream out;
        private DataInputStream in;

        Client(int port) throws IOException {
            plain = new Socket("127.0.0.1", port);
            plain.setSoTimeout(10_000);
            use(plain);
            out.write("  V2".getBytes(StandardCharsets.US_ASCII));
        }

        private void use(Socket s) throws IOException {
            socket = s;
            out = new DataOutputStream(s.getOutputStream());
            in = new DataInputStream(s.getInputStream());
        }

        String send(String line, String body) throws IOException {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
            out.flush();
            return read();
        }

        String read() throws IOException {
            int size = in.readInt();
            in.readInt();
            byte[] data = new byte[size - 4];
            in.readFully(data);
            return new String(data, StandardCharsets.UTF_8);
        }

        /**
         * IDENTIFY asking for TLS, the handshake with {@code context} (only {@code protocols} when
         * given), then the OK the server sends through TLS.
         */
        String upgrade(SSLContext context, String... protocols) throws IOException {
            assertThat(send("IDENTIFY\n", "{\"feature_negotiation\":true,\"tls_v1\":true}"))
                    .contains("\"tls_v1\":true");
            SSLSocket tls =
                    (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true);
            if (protocols.length > 0) {
                tls.setEnabledProtocols(protocols);
            }
            tls.setSoTimeout(10_000);
            tls.startHandshake();
            use(tls);
            // with TLS 1.3 a refused client certificate shows here, not in the handshake
            return read();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            plain.close();
        }
    }

    @Test
    void shouldRequireTlsBeforeCommandsThenServeOverIt() throws Exception {
        NsqTcpServer.Builder servers =
                NsqTcpServer.builder(engine).tls(settings().withRequired(Required.YES));
        NsqTcpServer server = started(servers.startTcp("127.0.0.1", 0));
        NsqTcpServer https = started(servers.startHttps("127.0.0.1", 0));
        try (Client c = new Client(server.port())) {
            assertThat(c.send("PUB orders\n", "x")).isEqualTo("E_INVALID cannot PUB in current state (TLS required)");
        }
        try (Client c = new Client(server.port())) {
            assertThat(c.upgrade(TestCertificates.clientContext(null, null), "TLSv1.3"))
                    .isEqualTo("OK");
            assertThat(c.send("PUB orders\n", "x")).isEqualTo("OK");
            assertThat(c.send("SUB orders c\n", null)).isEqualTo("OK");

            // /stats shows the client as nsqd names its TLS version
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(TestCertificates.clientContext(null, null))
                    .build();
            JsonNode stats = new ObjectMapper()
                    .readTree(client.send(
                                    HttpRequest.newBuilder(URI.create(
                                                    "https://127.0.0.1:" + https.port() + "/stats?format=json"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body());
            JsonNode consumer = stats.at("/topics/0/channels/0/clients/0");
            assertThat(consumer.get("tls").asBoolean()).as(stats.toString()).isTrue();
            assertThat(consumer.get("tls_version").asText()).isEqualTo("TLS1.3");
            assertThat(consumer.get("tls_cipher_suite").asText()).startsWith("TLS_");
            assertThat(consumer.get("tls_negotiated_protocol_is_mutual").asBoolean())
                    .isTrue();
        }
        assertThat(done(engine.stats("orders")).orElseThrow().messageCount()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAClientWithoutACertificateWhenOneIsRequired() throws Exception {
        NsqTcpServer server = started(NsqTcpServer.builder(engine)
                .tls(settings().withClientAuthPolicy(ClientAuthPolicy.REQUIRE))
                .startTcp("127.0.0.1", 0));
        try (Client c = new Client(server.port())) {
            assertThatThrownBy(() -> c.upgrade(TestCertificates.clientContext(null, null)))
                    .isInstanceOf(IOException.class);
        }
        // "require" asks for a certificate, any certificate
        try (Client c = new Client(server.port())) {
            assertThat(c.upgrade(TestCertificates.clientContext(certs.rogueCert(), certs.rogueKey())))
                    .isEqualTo("OK");
            assertThat(c.send("PUB orders\n", "x")).isEqualTo("OK");
        }
    }

    @Test
    void shouldAcceptOnlyCertificatesTheRootCaSignedUnderRequireVerify() throws Exception {
        TlsSettings tls =
                settings().withClientAuthPolicy(ClientAuthPolicy.REQUIRE_VERIFY).withRootCaFile(certs.caCert());
        assertThat(tls.required())
                .as("a client certificate policy requires TLS")
                .isEqualTo(Required.YES);
        NsqTcpServer server = started(NsqTcpServer.builder(engine).tls(tls).startTcp("127.0.0.1", 0));
        try (Client c = new Client(server.port())) {
            assertThatThrownBy(() -> c.upgrade(TestCertificates.clientContext(certs.rogueCert(), certs.rogueKey())))
                    .isInstanceOf(IOException.class);
        }
        try (Client c = new Client(server.port())) {
            assertThatThrownBy(() -> c.upgrade(TestCertificates.clientContext(null, null)))
                    .isInstanceOf(IOException.class);
        }
        try (Client c = new Client(server.port())) {
            assertThat(c.upgrade(TestCertificates.clientContext(certs.clientCert(), certs.clientKey())))
                    .isEqualTo("OK");
            assertThat(c.send("PUB orders\n", "x")).isEqualTo("OK");
        }
    }

    @Test
    void shouldRefuseAnOlderProtocolThanTheMinimum() throws Exception {
        NsqTcpServer server = started(NsqTcpServer.builder(engine)
                .tls(settings().withMinVersion(Version.TLS_1_3))
                .startTcp("127.0.0.1", 0));
        SSLContext client = TestCertificates.clientContext(null, null);
        try (Client c = new Client(server.port())) {
            assertThatThrownBy(() -> c.upgrade(client, "TLSv1.2")).isInstanceOf(IOException.class);
        }
        try (Client c = new Client(server.port())) {
            assertThat(c.upgrade(client, "TLSv1.3")).isEqualTo("OK");
        }
    }

    @Test
    void shouldTellTheAuthServiceWhetherTlsIsOnAndTheCertificatesCommonName() throws Exception {
        LinkedBlockingQueue<Map<String, String>> queries = new LinkedBlockingQueue<>();
        HttpServer authService = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        authService.createContext("/auth", exchange -> {
            queries.add(java.util.Arrays.stream(
                            exchange.getRequestURI().getRawQuery().split("&"))
                    .map(kv -> kv.split("=", 2))
                    .collect(Collectors.toMap(
                            kv -> kv[0], kv -> kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8))));
            byte[] body = ("{\"ttl\":3600,\"identity\":\"alice\",\"authorizations\":[{\"topic\":\".*\","
                            + "\"channels\":[\".*\"],\"permissions\":[\"publish\",\"subscribe\"]}]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        authService.start();
        started(() -> authService.stop(0));
        AuthSettings auth =
                AuthSettings.of(List.of("127.0.0.1:" + authService.getAddress().getPort()), Duration.ofSeconds(5));
        NsqTcpServer.Builder servers = NsqTcpServer.builder(engine)
                .auth(auth)
                .tls(settings()
                        .withClientAuthPolicy(ClientAuthPolicy.REQUIRE_VERIFY)
                        .withRootCaFile(certs.caCert()));
        NsqTcpServer tcp = started(servers.startTcp("127.0.0.1", 0));
        NsqTcpServer https = started(servers.startHttps("127.0.0.1", 0));

        try (Client c = new Client(tcp.port())) {
            c.upgrade(TestCertificates.clientContext(certs.clientCert(), certs.clientKey()));
            assertThat(c.send("AUTH\n", "s3cret")).contains("\"identity\":\"alice\"");
        }
        assertThat(queries.take())
                .containsEntry("tls", "true")
                .containsEntry("common_name", "alice")
                .containsEntry("secret", "s3cret")
                .containsEntry("remote_ip", "127.0.0.1");

        HttpClient client = HttpClient.newBuilder()
                .sslContext(TestCertificates.clientContext(certs.clientCert(), certs.clientKey()))
                .build();
        HttpResponse<String> pub = client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https.port() + "/pub?topic=orders"))
                        .header("Authorization", "Bearer s3cret")
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pub.statusCode()).as(pub.body()).isEqualTo(200);
        assertThat(queries.take()).containsEntry("tls", "true").containsEntry("common_name", "alice");
    }

    @Test
    void shouldServeTheHttpApiOverHttps() throws Exception {
        NsqTcpServer.Builder servers = NsqTcpServer.builder(engine)
                .tls(settings().withRequired(Required.YES))
                .info(Map.of("version", "1.3.0"));
        NsqTcpServer https = started(servers.startHttps("127.0.0.1", 0));
        NsqTcpServer http = started(servers.httpsPort(https.port()).startHttp("127.0.0.1", 0));
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TestCertificates.clientContext(null, null))
                .build();
        String base = "https://127.0.0.1:" + https.port();
        HttpResponse<String> ping = client.send(
                HttpRequest.newBuilder(URI.create(base + "/ping")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ping.statusCode()).isEqualTo(200);
        assertThat(ping.body()).isEqualTo("OK");
        HttpResponse<String> pub = client.send(
                HttpRequest.newBuilder(URI.create(base + "/pub?topic=orders"))
                        .POST(HttpRequest.BodyPublishers.ofString("hello"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pub.body()).isEqualTo("OK");
        await().until(() ->
                done(engine.stats("orders")).map(t -> t.messageCount()).orElse(0L) == 1);

        // TLS required for HTTP too: the plain listener refuses everything and names the HTTPS port
        HttpResponse<String> refused = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/ping"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).isEqualTo("{\"message\": \"TLS_REQUIRED\", \"https_port\": " + https.port() + "}");
        assertThat(refused.headers().firstValue("X-NSQ-Content-Type")).hasValue("nsq; version=1.0");
    }

    @Test
    void shouldServePlainHttpWhenTlsIsRequiredOnlyForTcpAndHttps() throws Exception {
        NsqTcpServer.Builder servers =
                NsqTcpServer.builder(engine).tls(settings().withRequired(Required.TCP_HTTPS));
        NsqTcpServer tcp = started(servers.startTcp("127.0.0.1", 0));
        NsqTcpServer http = started(servers.startHttp("127.0.0.1", 0));
        HttpResponse<String> ping = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/ping"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ping.body()).isEqualTo("OK");
        try (Client c = new Client(tcp.port())) {
            assertThat(c.send("SUB orders c\n", null))
                    .isEqualTo("E_INVALID cannot SUB in current state (TLS required)");
        }
    }

    @Test
    void shouldNameTheFilesItCannotUse() {
        TlsSettings missing = TlsSettings.of(certDir.resolve("nope.pem"), certs.serverKey());
        assertThatThrownBy(() -> NsqTcpServer.builder(engine).tls(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope.pem");
        TlsSettings swapped = TlsSettings.of(certs.serverKey(), certs.serverCert());
        assertThatThrownBy(() -> NsqTcpServer.builder(engine).tls(swapped))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server.key");
        assertThatThrownBy(() -> NsqTcpServer.builder(engine).startHttps("127.0.0.1", 0))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldParseNsqdsFlagValues() {
        assertThat(Required.parse("tcp-https")).isEqualTo(Required.TCP_HTTPS);
        assertThat(Required.parse("TRUE")).isEqualTo(Required.YES);
        assertThat(Required.parse("0")).isEqualTo(Required.NO);
        assertThatThrownBy(() -> Required.parse("maybe")).hasMessageContaining("\"maybe\"");
        assertThat(ClientAuthPolicy.parse("require-verify")).isEqualTo(ClientAuthPolicy.REQUIRE_VERIFY);
        assertThat(ClientAuthPolicy.parse("")).isEqualTo(ClientAuthPolicy.NONE);
        assertThatThrownBy(() -> ClientAuthPolicy.parse("always")).hasMessageContaining("\"always\"");
        assertThat(Version.parse("TLS1.2")).isEqualTo(Version.TLS_1_2);
        assertThatThrownBy(() -> Version.parse("ssl3.0")).hasMessageContaining("\"ssl3.0\"");
    }
}
