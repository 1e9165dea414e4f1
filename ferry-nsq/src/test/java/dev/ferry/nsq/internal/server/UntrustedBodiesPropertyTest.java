package dev.ferry.nsq.internal.server;

import static dev.ferry.nsq.internal.server.EmbeddedClient.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.nsq.internal.server.EmbeddedClient.Got;
import dev.ferry.nsq.testing.TestAuthService;
import dev.ferry.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The bodies of IDENTIFY, AUTH, MPUB and DPUB are untrusted: whatever bytes a client sends, split
 * however the network splits them, the connection answers each command with OK, a response, or an
 * NSQ error naming the problem, and closes only after such an error; no exception escapes the
 * protocol handler (an escaping one closes the connection without an error frame) and nothing hangs.
 *
 * <p>Compression is off so that the frames the client reads stay plain. Bodies stay within small
 * limits so that a try is fast; the over-limit paths (sizes up to 2^31) are in the generators.
 */
class UntrustedBodiesPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MSG = 200;
    private static final int MAX_BODY = 1000;
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> IDENTIFY_FIELDS = List.of(
            "client_id",
            "hostname",
            "user_agent",
            "feature_negotiation",
            "heartbeat_interval",
            "output_buffer_size",
            "output_buffer_timeout",
            "tls_v1",
            "deflate",
            "deflate_level",
            "snappy",
            "sample_rate",
            "msg_timeout",
            "long_id",
            "short_id");

    private static TestAuthService authService;
    private static AuthClient authClient;

    @BeforeContainer
    static void startAuthService() throws IOException {
        authService = TestAuthService.start(
                Map.of(
                        "s",
                        "{\"ttl\":3600,\"identity\":\"i\",\"authorizations\":"
                                + "[{\"topic\":\".*\",\"channels\":[\".*\"],\"permissions\":[\"publish\"]}]}"),
                "{\"message\":\"no\"}");
        authClient = new AuthClient(List.of(authService.address()), java.time.Clock.systemUTC(), Duration.ofSeconds(5));
    }

    @AfterContainer
    static void stopAuthService() {
        authService.close();
    }

    private static ServerOptions options(MutableClock clock) {
        return ServerOptions.defaults()
                .withSizeLimits(MAX_MSG, MAX_BODY)
                .withCompression(false, false)
                .withClock(clock);
    }

    // ---- IDENTIFY ---------------------------------------------------------------------------------

    /** Any JSON value: scalars of every type, and objects and arrays of them, a few levels deep. */
    private static Arbitrary<Object> jsonValue(int depth) {
        Arbitrary<Object> scalar = Arbitraries.oneOf(
                Arbitraries.longs().map(Object.class::cast),
                Arbitraries.longs().between(-2, 70_000).map(Object.class::cast),
                Arbitraries.<Object>of(
                        0, -1, 1000, 1_000_000_000_000L, Long.MIN_VALUE, Integer.MAX_VALUE + 1L, 1.5, 1e3, 1e300, -0.0),
                Arbitraries.bigIntegers()
                        .between(java.math.BigInteger.ONE.shiftLeft(63), java.math.BigInteger.ONE.shiftLeft(70))
                        .map(Object.class::cast),
                Arbitraries.doubles().map(Object.class::cast),
                Arbitraries.strings().ofMaxLength(20).map(Object.class::cast),
                Arbitraries.of(true, false).map(Object.class::cast),
                Arbitraries.<Object>just(null));
        if (depth == 0) {
            return scalar;
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, scalar),
                net.jqwik.api.Tuple.of(
                        1, jsonValue(depth - 1).list().ofMaxSize(3).map(Object.class::cast)),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.maps(Arbitraries.of(IDENTIFY_FIELDS), jsonValue(depth - 1))
                                .ofMaxSize(3)
                                .map(Object.class::cast)));
    }

    /** IDENTIFY bodies: JSON objects with nsqd's fields holding any values, any JSON, or any bytes. */
    @Provide
    Arbitrary<byte[]> identifyBody() {
        Arbitrary<byte[]> object = Arbitraries.maps(
                        Arbitraries.oneOf(
                                Arbitraries.of(IDENTIFY_FIELDS),
                                Arbitraries.strings().ofMaxLength(8)),
                        jsonValue(1))
                .ofMaxSize(6)
                .map(UntrustedBodiesPropertyTest::json);
        Arbitrary<byte[]> anyJson = jsonValue(2).map(UntrustedBodiesPropertyTest::json);
        Arbitrary<byte[]> anyBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(60);
        Arbitrary<byte[]> cut =
                object.flatMap(b -> Arbitraries.integers().between(0, b.length).map(n -> Arrays.copyOf(b, n)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, object),
                net.jqwik.api.Tuple.of(2, anyJson),
                net.jqwik.api.Tuple.of(2, anyBytes),
                net.jqwik.api.Tuple.of(1, cut));
    }

    @Property(tries = 150)
    void identifyAnswersAnyBodyWithTheFeaturesOrAnErrorNamingTheProblem(
            @ForAll("identifyBody") byte[] body, @ForAll("cuts") List<Integer> cuts) {
        List<Got> frames = exchange(null, command("IDENTIFY\n", body), cuts);
        assertThat(frames).as("one answer to IDENTIFY %s", printable(body)).hasSize(1);
        Got answer = frames.get(0);
        if (answer.type() == Frame.TYPE_ERROR) {
            assertThat(answer.text()).matches("E_BAD_BODY IDENTIFY .+|E_IDENTIFY_FAILED .+");
        } else {
            boolean features = answer.text().startsWith("{");
            assertThat(
                            features
                                    ? tree(answer.text()).path("max_rdy_count").isNumber()
                                    : answer.text().equals("OK"))
                    .as("OK, or the features as JSON: %s", answer.text())
                    .isTrue();
        }
    }

    @Example
    void identifyWithANullBodyIsAcceptedAsNsqdDecodesIt() {
        // Go decodes the JSON null into nothing: every field keeps its zero value, as for {}
        List<Got> frames = exchange(null, command("IDENTIFY\n", utf8("null")), List.of());
        assertThat(frames).extracting(Got::text).containsExactly("OK");
    }

    // ---- AUTH -------------------------------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> authBody() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(80),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(40).map(UntrustedBodiesPropertyTest::utf8),
                Arbitraries.of("s", "%", "s\u0000", "\uFFFF", "s\n", "s ").map(UntrustedBodiesPropertyTest::utf8));
    }

    @Property(tries = 80)
    void authWithoutAnAuthServiceRefusesAnyBodyAsDisabled(
            @ForAll("authBody") byte[] body, @ForAll("cuts") List<Integer> cuts) {
        List<Got> frames = exchange(null, command("AUTH\n", body), cuts);
        assertThat(frames).extracting(Got::text).containsExactly("E_AUTH_DISABLED AUTH disabled");
    }

    @Property(tries = 20)
    void authAsksTheServiceWithAnyBodyAndAnswersItsGrantOrUnauthorized(@ForAll("authBody") byte[] body) {
        List<Got> frames = exchange(authClient, command("AUTH\n", body), List.of());
        assertThat(frames).hasSize(1);
        if (new String(body, StandardCharsets.UTF_8).equals("s")) {
            assertThat(frames.get(0).text()).contains("\"permission_count\":1");
        } else {
            assertThat(frames.get(0).text()).isEqualTo("E_AUTH_FAILED AUTH failed");
        }
    }

    // ---- MPUB and DPUB ----------------------------------------------------------------------------

    /** An int32 as sent on the wire. */
    private static byte[] int32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static Arbitrary<Integer> size(int limit) {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(-2, limit + 2),
                Arbitraries.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, limit, limit + 1));
    }

    /**
     * MPUB framing: a count and per message a size and bytes, each of which may lie (more or fewer
     * messages than counted, sizes larger or smaller than the bytes), wrapped in a body size that may
     * lie too; the whole may be cut anywhere.
     */
    @Provide
    Arbitrary<byte[]> mpubCommand() {
        Arbitrary<byte[]> message = Arbitraries.integers()
                .between(0, 40)
                .flatMap(n -> Arbitraries.oneOf(Arbitraries.just(n), size(MAX_MSG))
                        .map(claimed -> concat(int32(claimed), new byte[n])));
        Arbitrary<byte[]> content = net.jqwik.api.Combinators.combine(
                        size(10).map(UntrustedBodiesPropertyTest::int32),
                        message.list().ofMaxSize(6))
                .as((count, messages) -> {
                    List<byte[]> parts = new ArrayList<>();
                    parts.add(count);
                    parts.addAll(messages);
                    return concat(parts.toArray(byte[][]::new));
                });
        Arbitrary<byte[]> honestCount = message.list().ofMinSize(1).ofMaxSize(6).map(messages -> {
            List<byte[]> parts = new ArrayList<>();
            parts.add(int32(messages.size()));
            parts.addAll(messages);
            return concat(parts.toArray(byte[][]::new));
        });
        return net.jqwik.api.Combinators.combine(
                        Arbitraries.oneOf(content, honestCount), size(MAX_BODY), Arbitraries.of(true, false))
                .as((body, claimed, honestSize) ->
                        concat(utf8("MPUB t\n"), int32(honestSize ? body.length : claimed), body));
    }

    @Property(tries = 150)
    void mpubAnswersAnyFramingWithOkOrAnNsqError(
            @ForAll("mpubCommand") byte[] bytes, @ForAll("cuts") List<Integer> cuts) {
        List<Got> frames = exchange(null, bytes, cuts);
        assertThat(frames).as("answers to %s", printable(bytes)).hasSizeLessThanOrEqualTo(1);
        frames.forEach(f -> assertThat(f.text()).matches("OK|E_BAD_BODY MPUB .+|E_BAD_MESSAGE MPUB .+"));
    }

    @Provide
    Arbitrary<byte[]> dpubCommand() {
        Arbitrary<String> timeout = Arbitraries.oneOf(
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.longs().between(-1, 4_000_000).map(String::valueOf),
                Arbitraries.of("", "1e3", "0x10", "+5", "-0", "99999999999999999999", "١٢"),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(6));
        return net.jqwik.api.Combinators.combine(
                        timeout,
                        Arbitraries.integers().between(0, MAX_MSG + 5),
                        size(MAX_MSG),
                        Arbitraries.of(true, false))
                .as((t, n, claimed, honestSize) ->
                        concat(utf8("DPUB t " + t + "\n"), int32(honestSize ? n : claimed), new byte[n]));
    }

    @Property(tries = 120)
    void dpubAnswersAnyTimeoutAndFramingWithOkOrAnNsqError(
            @ForAll("dpubCommand") byte[] bytes, @ForAll("cuts") List<Integer> cuts) {
        List<Got> frames = exchange(null, bytes, cuts);
        assertThat(frames).as("answers to %s", printable(bytes)).hasSizeLessThanOrEqualTo(1);
        frames.forEach(f -> assertThat(f.text())
                .matches("OK|E_INVALID DPUB .+|E_BAD_MESSAGE DPUB .+|E_INVALID invalid command .*"));
    }

    // ---- the exchange -----------------------------------------------------------------------------

    /** Where the bytes of a try are cut into separate reads. */
    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(1, 40).list().ofMaxSize(5);
    }

    /**
     * Sends {@code bytes} (split at {@code cuts}) on a fresh connection and returns the frames it got;
     * checks that a closed connection said why before closing, and that the try ends in time.
     */
    private List<Got> exchange(AuthClient auth, byte[] bytes, List<Integer> cuts) {
        return assertTimeoutPreemptively(TRY_TIMEOUT, () -> {
            MutableClock clock = MutableClock.start();
            try (LocalEngine engine =
                            LocalEngine.open(EmbeddedEngineConfig.memory().build(), clock);
                    EmbeddedClient client = new EmbeddedClient(engine, options(clock), auth)) {
                for (byte[] chunk : split(bytes, cuts)) {
                    if (!client.isOpen()) {
                        break; // what a client sends after the close never arrives
                    }
                    client.send(chunk);
                }
                List<Got> frames = new ArrayList<>(client.frames());
                if (auth != null) {
                    // the auth service answers off the event loop
                    await().atMost(TRY_TIMEOUT).until(() -> {
                        frames.addAll(client.frames());
                        return !frames.isEmpty();
                    });
                }
                client.channel.checkException();
                if (!client.isOpen()) {
                    assertThat(frames)
                            .as("a closed connection says why in an error frame")
                            .isNotEmpty();
                    assertThat(frames.get(frames.size() - 1).type()).isEqualTo(Frame.TYPE_ERROR);
                }
                return frames;
            }
        });
    }

    private static List<byte[]> split(byte[] bytes, List<Integer> cuts) {
        List<byte[]> chunks = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            int to = Math.min(bytes.length, from + cut);
            chunks.add(Arrays.copyOfRange(bytes, from, to));
            from = to;
        }
        chunks.add(Arrays.copyOfRange(bytes, from, bytes.length));
        return chunks;
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static String printable(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "·");
    }

    private static JsonNode tree(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
