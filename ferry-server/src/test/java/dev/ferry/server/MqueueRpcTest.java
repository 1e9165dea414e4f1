package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.mqueue.MemoryQueues;
import dev.ferry.nsq.AuthSettings;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.nsq.testing.TestAuthService;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /rpc} over a real socket: the mqueue methods' exact JSON, JSON-RPC errors, auth, ferry rpc. */
class MqueueRpcTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private LocalEngine engine;
    private MemoryQueues queues;
    private NsqTcpServer http;

    @BeforeEach
    void start() {
        engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        queues = MemoryQueues.of("name=first", "name=myq;size=3", "name=keyed;addmode=2");
        http = NsqTcpServer.builder(engine).routes(routes()).startHttp("127.0.0.1", 0);
    }

    private List<dev.ferry.nsq.HttpRoute> routes() {
        return List.of(
                new RpcRoute(MqueueRpc.register(JsonRpc.builder(), queues).build()));
    }

    @AfterEach
    void stop() {
        http.close();
        queues.close();
        engine.close();
        client.close();
    }

    private HttpResponse<String> post(int port, String body, String secret) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rpc"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) {
            b.header("Authorization", "Bearer " + secret);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String call(String method, String params) throws Exception {
        HttpResponse<String> r = post(
                http.port(),
                "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\"" + (params == null ? "" : ",\"params\":" + params)
                        + ",\"id\":1}",
                null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        return r.body();
    }

    private static String result(String json) {
        return "{\"jsonrpc\":\"2.0\",\"result\":" + json + ",\"id\":1}";
    }

    private static String error(int code, String message) {
        return "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\"},\"id\":1}";
    }

    @Test
    void shouldAnswerGetSizeInKamailiosShapes() throws Exception {
        for (int i = 1; i <= 5; i++) {
            queues.add("myq", "k" + i, "v" + i);
        }
        assertThat(call("mqueue.get_size", "[\"myq\"]")).isEqualTo(result("{\"name\":\"myq\",\"size\":3}"));
        assertThat(call("mqueue.get_size", "{\"name\":\"myq\"}")).isEqualTo(result("{\"name\":\"myq\",\"size\":3}"));
        assertThat(call("mqueue.get_size", "[\"first\"]")).isEqualTo(result("{\"name\":\"first\",\"size\":0}"));
        assertThat(call("mqueue.get_size", null)).isEqualTo(error(400, "No queue name"));
        assertThat(call("mqueue.get_size", "[]")).isEqualTo(error(400, "No queue name"));
        assertThat(call("mqueue.get_size", "[\"\"]")).isEqualTo(error(400, "Invalid queue name"));
        assertThat(call("mqueue.get_size", "[\"nope\"]")).isEqualTo(error(404, "No such queue"));
        assertThat(call("mqueue.get_size", "[7]")).isEqualTo(error(-32602, "Invalid params: name must be a string"));
    }

    @Test
    void shouldListSizesNewestDefinitionFirst() throws Exception {
        queues.add("first", "k", "v");
        assertThat(call("mqueue.get_sizes", null))
                .isEqualTo(result("[{\"name\":\"keyed\",\"size\":0},{\"name\":\"myq\",\"size\":0},"
                        + "{\"name\":\"first\",\"size\":1}]"));
    }

    @Test
    void shouldFetchInKamailiosShapesAndNeverLoseAnItemWithAnEmptyKeyOrValue() throws Exception {
        for (int i = 1; i <= 5; i++) {
            queues.add("myq", "k" + i, "v" + i);
        }
        assertThat(call("mqueue.fetch", "[\"myq\"]")).isEqualTo(result("{\"key\":\"k3\",\"val\":\"v3\"}"));
        queues.add("first", "", "");
        queues.add("first", "k", "");
        queues.add("first", "", "v");
        assertThat(call("mqueue.fetch", "[\"first\"]")).isEqualTo(result("{\"key\":\"\",\"val\":\"\"}"));
        assertThat(call("mqueue.fetch", "{\"name\":\"first\"}")).isEqualTo(result("{\"key\":\"k\",\"val\":\"\"}"));
        assertThat(call("mqueue.fetch", "[\"first\"]")).isEqualTo(result("{\"key\":\"\",\"val\":\"v\"}"));
        assertThat(call("mqueue.fetch", "[\"first\"]")).isEqualTo(error(404, "Empty queue"));
        assertThat(call("mqueue.fetch", "[\"nope\"]")).isEqualTo(error(500, "No such queue"));
        assertThat(call("mqueue.fetch", null)).isEqualTo(error(500, "No queue name"));
        assertThat(call("mqueue.fetch", "[\"\"]")).isEqualTo(error(500, "Invalid queue name"));
    }

    @Test
    void shouldAddFromRemoteProducers() throws Exception {
        assertThat(call("mqueue.add", "[\"myq\",\"k1\",\"v1\"]"))
                .isEqualTo(result("{\"name\":\"myq\",\"result\":\"added\",\"size\":1}"));
        assertThat(call("mqueue.add", "{\"name\":\"keyed\",\"key\":\"a\",\"value\":\"1\"}"))
                .isEqualTo(result("{\"name\":\"keyed\",\"result\":\"added\",\"size\":1}"));
        assertThat(call("mqueue.add", "[\"keyed\",\"a\",\"2\"]"))
                .isEqualTo(result("{\"name\":\"keyed\",\"result\":\"replaced\",\"size\":1}"));
        assertThat(call("mqueue.add", "[\"myq\",\"\",\"\"]"))
                .isEqualTo(result("{\"name\":\"myq\",\"result\":\"added\",\"size\":2}"));
        assertThat(call("mqueue.add", "[\"nope\",\"k\",\"v\"]")).isEqualTo(error(404, "No such queue"));
        assertThat(call("mqueue.add", "[\"myq\"]")).isEqualTo(error(400, "No key"));
        assertThat(call("mqueue.add", "[\"myq\",\"k\"]")).isEqualTo(error(400, "No value"));
        assertThat(call("mqueue.add", "[]")).isEqualTo(error(400, "No queue name"));
        assertThat(queues.fetch("myq").orElseThrow().key()).isEqualTo("k1");
    }

    @Test
    void shouldAnswerJsonRpcProtocolErrors() throws Exception {
        assertThat(call("mqueue.nothing", null)).isEqualTo(error(-32601, "Method not found"));
        assertThat(post(http.port(), "{not json", null).body())
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}");
        assertThat(post(http.port(), "{\"method\":\"mqueue.get_sizes\",\"id\":3}", null)
                        .body())
                .isEqualTo(
                        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"},\"id\":3}");
        assertThat(post(
                                http.port(),
                                "{\"jsonrpc\":\"2.0\",\"method\":\"mqueue.get_sizes\",\"params\":5,\"id\":\"x\"}",
                                null)
                        .body())
                .isEqualTo(
                        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"Invalid params\"},\"id\":\"x\"}");
        HttpResponse<String> batch = post(
                http.port(),
                "[{\"jsonrpc\":\"2.0\",\"method\":\"mqueue.get_size\",\"params\":[\"myq\"],\"id\":1},"
                        + "{\"jsonrpc\":\"2.0\",\"method\":\"mqueue.add\",\"params\":[\"myq\",\"k\",\"v\"]},"
                        + "{\"jsonrpc\":\"2.0\",\"method\":\"mqueue.get_size\",\"params\":[\"myq\"],\"id\":2}]",
                null);
        assertThat(batch.body())
                .isEqualTo("[" + result("{\"name\":\"myq\",\"size\":0}") + ","
                        + result("{\"name\":\"myq\",\"size\":1}").replace("\"id\":1", "\"id\":2") + "]");
        HttpResponse<String> notification = post(
                http.port(), "{\"jsonrpc\":\"2.0\",\"method\":\"mqueue.add\",\"params\":[\"myq\",\"n\",\"v\"]}", null);
        assertThat(notification.statusCode()).isEqualTo(204);
        assertThat(queues.size("myq")).isEqualTo(2);
        HttpResponse<String> get = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/rpc"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("OPTIONS, POST");
    }

    @Test
    void shouldNeedASecretGrantingTheRpcTopicWhenAuthIsConfigured() throws Exception {
        Map<String, String> answers = Map.of(
                "admin",
                "{\"ttl\":3600,\"authorizations\":[{\"topic\":\"^ferry\\\\.rpc$\",\"channels\":[\".*\"],"
                        + "\"permissions\":[\"publish\"]}]}",
                "publisher",
                "{\"ttl\":3600,\"authorizations\":[{\"topic\":\"^orders$\",\"channels\":[\".*\"],"
                        + "\"permissions\":[\"publish\"]}]}");
        TestAuthService authService = TestAuthService.start(answers, "{}");
        AuthSettings auth = authService.client();
        queues.add("myq", "secret-key", "secret-value");
        String fetch = "{\"jsonrpc\":\"2.0\",\"method\":\"mqueue.fetch\",\"params\":[\"myq\"],\"id\":1}";
        try (NsqTcpServer guarded =
                NsqTcpServer.builder(engine).auth(auth).routes(routes()).startHttp("127.0.0.1", 0)) {
            HttpResponse<String> none = post(guarded.port(), fetch, null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.body()).isEqualTo("{\"message\":\"AUTH_REQUIRED\"}");
            assertThat(post(guarded.port(), fetch, "publisher").body()).isEqualTo("{\"message\":\"UNAUTHORIZED\"}");
            assertThat(post(guarded.port(), fetch, "stranger").body()).isEqualTo("{\"message\":\"AUTH_FAILED\"}");
            assertThat(queues.size("myq")).as("nothing was fetched").isEqualTo(1);
            assertThat(post(guarded.port(), fetch, "admin").body())
                    .isEqualTo(result("{\"key\":\"secret-key\",\"val\":\"secret-value\"}"));
            assertThat(rpc(guarded.port(), "--secret", "admin", "mqueue.get_size", "myq"))
                    .isEqualTo(new Run(0, "{\n  \"name\" : \"myq\",\n  \"size\" : 0\n}\n", ""));
        } finally {
            authService.close();
        }
    }

    /** What {@code ferry rpc} printed and returned. */
    record Run(int exit, String out, String err) {}

    private static Run rpc(int port, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cmd = Ferry.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 3];
        all[0] = "rpc";
        all[1] = "--http-address";
        all[2] = "127.0.0.1:" + port;
        System.arraycopy(args, 0, all, 3, args.length);
        int exit = cmd.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldCallMethodsFromTheShellWithFerryRpc() throws IOException {
        assertThat(rpc(http.port(), "mqueue.add", "myq", "k1", "v1").exit()).isZero();
        assertThat(rpc(http.port(), "mqueue.get_sizes").out())
                .isEqualTo("[ {\n  \"name\" : \"keyed\",\n  \"size\" : 0\n}, {\n  \"name\" : \"myq\",\n  \"size\" : 1\n"
                        + "}, {\n  \"name\" : \"first\",\n  \"size\" : 0\n} ]\n");
        assertThat(rpc(http.port(), "mqueue.fetch", "myq").out())
                .isEqualTo("{\n  \"key\" : \"k1\",\n  \"val\" : \"v1\"\n}\n");
        Run empty = rpc(http.port(), "mqueue.fetch", "myq");
        assertThat(empty.exit()).isEqualTo(1);
        assertThat(empty.err()).contains("ferry: rpc mqueue.fetch: error 404 Empty queue");
        assertThat(rpc(http.port(), "--http-address=nonsense", "mqueue.get_sizes")
                        .exit())
                .isEqualTo(2);
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            int port = closed.getLocalPort();
            closed.close();
            Run unreachable = rpc(port, "mqueue.get_sizes");
            assertThat(unreachable.exit()).isEqualTo(1);
            assertThat(unreachable.err())
                    .contains("cannot reach the broker's HTTP API at 127.0.0.1:" + port + ": connection refused");
        }
    }
}
