package dev.ferry.nsq.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.lookupd.LookupdHttpHandler;
import dev.ferry.nsq.internal.lookupd.LookupdOptions;
import dev.ferry.nsq.internal.lookupd.LookupdState;
import dev.ferry.testing.MutableClock;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The broker's and lookupd's HTTP query strings and bodies are untrusted: whatever the parameters
 * (missing, repeated, empty, bad names, bad numbers, broken percent-encoding) and whatever the body,
 * a request is answered with one of nsqd's statuses and never with a 500 (which is what an
 * exception escaping an endpoint becomes), and in time.
 */
class HttpInputPropertyTest {
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_MSG = 100;
    private static final int MAX_BODY = 1000;
    private static final Set<Integer> NSQD_STATUSES = Set.of(200, 400, 403, 404, 405, 413);

    private static final List<String> BROKER_PATHS = List.of(
            "/pub",
            "/mpub",
            "/ping",
            "/info",
            "/stats",
            "/topic/create",
            "/topic/delete",
            "/topic/empty",
            "/topic/pause",
            "/topic/unpause",
            "/channel/create",
            "/channel/delete",
            "/channel/empty",
            "/channel/pause",
            "/channel/unpause",
            "/channel/dead-letter",
            "/lookup",
            "/topics",
            "/channels",
            "/nodes");
    private static final List<String> LOOKUPD_PATHS = List.of(
            "/ping",
            "/info",
            "/topics",
            "/channels",
            "/lookup",
            "/nodes",
            "/topic/create",
            "/topic/delete",
            "/topic/tombstone",
            "/channel/create",
            "/channel/delete");
    private static final List<String> PARAMS = List.of(
            "topic",
            "channel",
            "defer",
            "binary",
            "format",
            "node",
            "max_attempts",
            "dead_letter_topic",
            "include_clients",
            "include_mem");

    private static ServerOptions options(MutableClock clock) {
        return ServerOptions.defaults().withSizeLimits(MAX_MSG, MAX_BODY).withClock(clock);
    }

    /** A parameter value: valid names, numbers, booleans, junk, and broken or odd percent-encoding. */
    private static Arbitrary<String> value() {
        return Arbitraries.oneOf(
                Arbitraries.of("t", "c", "t#ephemeral", "c#ephemeral", "a.b_c-d", "x".repeat(64), "x".repeat(65)),
                Arbitraries.of("", "0", "-1", "1", "3600000", "3600001", "99999999999999999999", "1e3", "0x1", "+1"),
                Arbitraries.of("true", "false", "1", "json", "text", "yes"),
                Arbitraries.of(
                        "%", "%2", "%zz", "%e9", "%c3%28", "%00", "%2F..%2F", "../..", "%25", "a%20b", "+", "%ff%fe"),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(12),
                Arbitraries.strings().ofMaxLength(6).map(s -> java.net.URLEncoder.encode(s, StandardCharsets.UTF_8)));
    }

    /** A query string: known and unknown names, repeated, empty, without '=' and with stray separators. */
    @Provide
    Arbitrary<String> query() {
        Arbitrary<String> name =
                Arbitraries.oneOf(Arbitraries.of(PARAMS), Arbitraries.of("", "%", "%zz", "top%69c", "x"));
        Arbitrary<String> pair = Combinators.combine(
                        name, value(), Arbitraries.integers().between(0, 9))
                .as((n, v, shape) -> shape == 0 ? n : shape == 1 ? n + "=" : n + "=" + v);
        return pair.list()
                .ofMaxSize(6)
                .map(pairs -> String.join("&", pairs))
                .flatMap(q -> Arbitraries.of(q, q + "&", "&" + q, q.replace('&', ';')));
    }

    /** A body: nothing, text lines, an MPUB binary batch (honest or lying), or any bytes. */
    @Provide
    Arbitrary<byte[]> body() {
        Arbitrary<byte[]> lines = Arbitraries.strings()
                .withChars("ab\n")
                .ofMaxLength(MAX_MSG * 3)
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<Integer> size = Arbitraries.oneOf(
                Arbitraries.integers().between(-1, MAX_MSG + 1),
                Arbitraries.of(Integer.MAX_VALUE, Integer.MIN_VALUE, MAX_BODY));
        Arbitrary<byte[]> binary = Combinators.combine(size, size.list().ofMaxSize(5), Arbitraries.of(true, false))
                .as((count, sizes, honestCount) -> {
                    int bytes = 4
                            + sizes.stream()
                                    .mapToInt(s -> 4 + Math.max(0, Math.min(s, MAX_MSG)))
                                    .sum();
                    ByteBuffer b = ByteBuffer.allocate(bytes);
                    b.putInt(honestCount ? sizes.size() : count);
                    for (int s : sizes) {
                        b.putInt(s);
                        b.position(b.position() + Math.max(0, Math.min(s, MAX_MSG)));
                    }
                    return b.array();
                });
        Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_BODY + 10);
        return Arbitraries.oneOf(Arbitraries.just(new byte[0]), lines, binary, any);
    }

    @Provide
    Arbitrary<String> brokerPath() {
        return Arbitraries.oneOf(Arbitraries.of(BROKER_PATHS), oddPath());
    }

    @Provide
    Arbitrary<String> lookupdPath() {
        return Arbitraries.oneOf(Arbitraries.of(LOOKUPD_PATHS), oddPath());
    }

    private static Arbitrary<String> oddPath() {
        return Arbitraries.of("/", "//pub", "/pub/", "/p%75b", "/%zz", "/%", "/../pub", "/topic/%2e%2e", "/x");
    }

    @Property(tries = 400)
    void brokerAnswersAnyQueryAndBodyWithAnNsqdStatus(
            @ForAll("brokerPath") String path,
            @ForAll("query") String query,
            @ForAll("body") byte[] body,
            @ForAll boolean post) {
        int status = brokerStatus(post ? HttpMethod.POST : HttpMethod.GET, path + "?" + query, body);
        assertThat(status).as("%s %s?%s", post ? "POST" : "GET", path, query).isIn(NSQD_STATUSES);
    }

    @Property(tries = 300)
    void lookupdAnswersAnyQueryWithAnNsqlookupdStatus(
            @ForAll("lookupdPath") String path, @ForAll("query") String query, @ForAll boolean post) {
        int status = lookupdStatus(post ? HttpMethod.POST : HttpMethod.GET, path + "?" + query);
        assertThat(status).as("%s %s?%s", post ? "POST" : "GET", path, query).isIn(NSQD_STATUSES);
    }

    @Example
    void brokerRefusesBrokenPercentEncodingInTheQueryAsABadRequest() {
        // nsqd: url.ParseQuery fails, 400 INVALID_REQUEST
        assertThat(brokerStatus(HttpMethod.POST, "/pub?topic=%zz", "m".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(400);
        assertThat(brokerStatus(HttpMethod.POST, "/topic/create?topic=t%", new byte[0]))
                .isEqualTo(400);
    }

    @Example
    void brokerRefusesBrokenPercentEncodingInThePathAsABadRequest() {
        assertThat(brokerStatus(HttpMethod.GET, "/%zz", new byte[0])).isEqualTo(400);
    }

    private int brokerStatus(HttpMethod method, String uri, byte[] body) {
        return assertTimeoutPreemptively(TRY_TIMEOUT, () -> {
            MutableClock clock = MutableClock.start();
            try (LocalEngine engine =
                    LocalEngine.open(EmbeddedEngineConfig.memory().build(), clock)) {
                EmbeddedChannel channel = new EmbeddedChannel(new NsqHttpHandler(
                        engine, options(clock), Map.of("version", "1.3.0", "tcp_port", 4150, "http_port", 4151)));
                try {
                    return answer(
                            channel,
                            new DefaultFullHttpRequest(
                                    HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(body)));
                } finally {
                    channel.finishAndReleaseAll();
                }
            }
        });
    }

    private int lookupdStatus(HttpMethod method, String uri) {
        return assertTimeoutPreemptively(TRY_TIMEOUT, () -> {
            LookupdState state = new LookupdState(new LookupdOptions(
                    Duration.ofSeconds(300), Duration.ofSeconds(45), "h", "h", "1.3.0", 1024, MutableClock.start()));
            EmbeddedChannel channel = new EmbeddedChannel(new LookupdHttpHandler(state));
            try {
                return answer(channel, new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
            } finally {
                channel.finishAndReleaseAll();
            }
        });
    }

    private static int answer(EmbeddedChannel channel, DefaultFullHttpRequest request) {
        channel.writeInbound(request);
        channel.runPendingTasks();
        channel.checkException();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("an answer").isNotNull();
        try {
            return response.status().code();
        } finally {
            response.release();
        }
    }
}
