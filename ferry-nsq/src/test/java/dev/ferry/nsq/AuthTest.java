package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.testing.TestAuthService;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AUTH against an auth service speaking nsqd's auth contract, over loopback sockets. */
class AuthTest {
    private static final Map<String, String> ANSWERS = Map.of(
            "good",
            "{\"ttl\":3600,\"identity\":\"alice\",\"identity_url\":\"http://id/alice\",\"authorizations\":"
                    + "[{\"topic\":\"^orders$\",\"channels\":[\".*\"],\"permissions\":[\"publish\",\"subscribe\"]}]}",
            "none",
            "{\"ttl\":60,\"identity\":\"bob\",\"authorizations\":[]}");

    private TestAuthService authService;
    private LocalEngine engine;
    private NsqTcpServer server;

    @BeforeEach
    void start() throws IOException {
        authService = TestAuthService.start(ANSWERS, "{\"message\":\"NOT_AUTHORIZED\"}");
        engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        AuthSettings auth = authService.client();
        server = NsqTcpServer.builder(engine).auth(auth).startTcp("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
        authService.close();
    }

    /** POSTs {@code x} to {@code path} on {@code http}, with {@code secret} as a bearer token unless null. */
    private static HttpResponse<String> post(NsqTcpServer http, String path, String secret)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString("x"));
        if (secret != null) {
            b.header("Authorization", "Bearer " + secret);
        }
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** A client connection that sends commands and reads frames as text. */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final DataOutputStream out;
        final DataInputStream in;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            out = new DataOutputStream(socket.getOutputStream());
            in = new DataInputStream(socket.getInputStream());
            out.write("  V2".getBytes(StandardCharsets.US_ASCII));
        }

        String send(String line, String body) throws IOException {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
            out.flush();
            int size = in.readInt();
            in.readInt();
            byte[] data = new byte[size - 4];
            in.readFully(data);
            return new String(data, StandardCharsets.UTF_8);
        }

        boolean closedByServer() throws IOException {
            return in.read() < 0;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void shouldRequireAuthBeforePublishingAndSayItInIdentify() throws Exception {
        try (Client c = new Client(server.port())) {
            assertThat(c.send("IDENTIFY\n", "{\"feature_negotiation\":true}")).contains("\"auth_required\":true");
            assertThat(c.send("PUB orders\n", "x")).isEqualTo("E_AUTH_FIRST AUTH required before PUB");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void shouldAllowWhatTheAuthServiceGrants() throws Exception {
        try (Client c = new Client(server.port())) {
            assertThat(c.send("AUTH\n", "good"))
                    .isEqualTo("{\"identity\":\"alice\",\"identity_url\":\"http://id/alice\",\"permission_count\":1}");
            assertThat(c.send("PUB orders\n", "x")).isEqualTo("OK");
            assertThat(c.send("PUB payroll\n", "x"))
                    .isEqualTo("E_UNAUTHORIZED AUTH failed for PUB on \"payroll\" \"\"");
            assertThat(c.closedByServer()).isTrue();
        }
        try (Client c = new Client(server.port())) {
            c.send("AUTH\n", "good");
            assertThat(c.send("SUB orders billing\n", null)).isEqualTo("OK");
        }
    }

    @Test
    void shouldRefuseUnknownSecretsAndEmptyGrants() throws Exception {
        try (Client c = new Client(server.port())) {
            assertThat(c.send("AUTH\n", "wrong")).isEqualTo("E_AUTH_FAILED AUTH failed");
        }
        try (Client c = new Client(server.port())) {
            assertThat(c.send("AUTH\n", "none")).isEqualTo("E_UNAUTHORIZED AUTH no authorizations found");
        }
        try (Client c = new Client(server.port())) {
            c.send("AUTH\n", "good");
            assertThat(c.send("AUTH\n", "good")).isEqualTo("E_INVALID AUTH already set");
        }
    }

    @Test
    void shouldAnswerAuthDisabledWithoutAnAuthService() throws Exception {
        try (NsqTcpServer plain = NsqTcpServer.builder(engine).startTcp("127.0.0.1", 0);
                Client c = new Client(plain.port())) {
            assertThat(c.send("AUTH\n", "good")).isEqualTo("E_AUTH_DISABLED AUTH disabled");
        }
    }

    @Test
    void shouldProtectTheHttpEndpointsThatChangeData() throws Exception {
        AuthSettings auth = authService.client();
        try (NsqTcpServer http = NsqTcpServer.builder(engine).auth(auth).startHttp("127.0.0.1", 0)) {
            var none = post(http, "/pub?topic=orders", null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.body()).isEqualTo("{\"message\":\"AUTH_REQUIRED\"}");
            assertThat(post(http, "/pub?topic=orders", "good").statusCode()).isEqualTo(200);
            assertThat(post(http, "/query?topic=orders", null).statusCode()).isEqualTo(401);
            assertThat(post(http, "/query?topic=payroll", "good").statusCode()).isEqualTo(403);
            var other = post(http, "/pub?topic=payroll", "good");
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(other.body()).isEqualTo("{\"message\":\"UNAUTHORIZED\"}");
            assertThat(post(http, "/topic/delete?topic=orders", "wrong").body())
                    .isEqualTo("{\"message\":\"AUTH_FAILED\"}");
            assertThat(post(http, "/channel/create?topic=orders&channel=c&secret=good", null)
                            .statusCode())
                    .isEqualTo(200);
            HttpResponse<String> stats;
            try (HttpClient client = HttpClient.newHttpClient()) {
                stats = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/stats?format=json"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            assertThat(stats.statusCode()).as("reading needs no secret").isEqualTo(200);
        }
    }

    /** A route answering its method, body and client address, guarded by {@code topic} (null: open). */
    private static HttpRoute echo(String path, String topic) {
        return new HttpRoute() {
            @Override
            public String path() {
                return path;
            }

            @Override
            public String method() {
                return "POST";
            }

            @Override
            public java.util.Optional<String> authTopic() {
                return java.util.Optional.ofNullable(topic);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Response> handle(Request request) {
                byte[] body = (request.method() + " " + new String(request.body(), StandardCharsets.UTF_8) + " "
                                + request.remoteIp())
                        .getBytes(StandardCharsets.UTF_8);
                return java.util.concurrent.CompletableFuture.completedFuture(new Response(200, "text/plain", body));
            }
        };
    }

    @Test
    void shouldGuardExtraRoutesByTheirAuthTopic() throws Exception {
        AuthSettings auth = authService.client();
        try (NsqTcpServer http = NsqTcpServer.builder(engine)
                .auth(auth)
                .routes(List.of(echo("/mine", "orders"), echo("/theirs", "payroll"), echo("/open", null)))
                .startHttp("127.0.0.1", 0)) {
            assertThat(post(http, "/mine", null).body()).isEqualTo("{\"message\":\"AUTH_REQUIRED\"}");
            var mine = post(http, "/mine", "good");
            assertThat(mine.statusCode()).isEqualTo(200);
            assertThat(mine.body()).isEqualTo("POST x 127.0.0.1");
            assertThat(mine.headers().firstValue("Content-Type")).contains("text/plain");
            assertThat(post(http, "/mine?secret=good", null).statusCode()).isEqualTo(200);
            assertThat(post(http, "/theirs", "good").body()).isEqualTo("{\"message\":\"UNAUTHORIZED\"}");
            assertThat(post(http, "/mine", "wrong").body()).isEqualTo("{\"message\":\"AUTH_FAILED\"}");
            assertThat(post(http, "/open", null).statusCode()).isEqualTo(200);
        }
    }
}
