package dev.ferry.nsq.internal.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.FerryException;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.FederationKey;
import dev.ferry.nsq.FederationSecret;
import dev.ferry.nsq.FederationSettings;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.server.ClientRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The federation handshake reads text from the other side before it knows who that is: a peer's
 * answer to the challenge (read by the broker), and the broker's challenge and verdict (read by the
 * dialing site). Whatever the text or frame, the broker refuses with {@code unauthorized} and a
 * close 1008, and the dialer fails the link with a {@link FerryException} naming the broker; no other
 * exception escapes, and nothing hangs.
 */
class FederationHandshakePropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(10);
    private static final String NAME = "site-b";
    private static final String SECRET = "0123456789abcdef0123";

    /** Any JSON value a few levels deep, as text. */
    private static Arbitrary<Object> jsonValue(int depth) {
        Arbitrary<Object> scalar = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20).map(Object.class::cast),
                Arbitraries.of("site-b", "", "=", "AAAA", "!!!!", "site-b\u0000")
                        .map(Object.class::cast),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(b ->
                        (Object) Base64.getEncoder().encodeToString(b)),
                Arbitraries.longs().map(Object.class::cast),
                Arbitraries.doubles().map(Object.class::cast),
                Arbitraries.<Object>of(true, false),
                Arbitraries.<Object>just(null));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> key = Arbitraries.oneOf(
                Arbitraries.of("secret", "answer", "challenge", "protocol", "error", "message", "ok"),
                Arbitraries.strings().ofMaxLength(6));
        return Arbitraries.oneOf(
                scalar,
                scalar,
                Arbitraries.maps(key, jsonValue(depth - 1)).ofMaxSize(4).map(Object.class::cast),
                jsonValue(depth - 1).list().ofMaxSize(3).map(Object.class::cast));
    }

    /** What the other side sends: any JSON, cut JSON, any text, or a frame of another kind. */
    @Provide
    Arbitrary<WebSocketFrame> frame() {
        Arbitrary<String> json = jsonValue(2).map(v -> {
            try {
                return JSON.writeValueAsString(v);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        Arbitrary<String> cut =
                json.flatMap(s -> Arbitraries.integers().between(0, s.length()).map(n -> s.substring(0, n)));
        Arbitrary<String> text =
                Arbitraries.oneOf(json, json, cut, Arbitraries.strings().ofMaxLength(40));
        return Arbitraries.oneOf(
                text.map(s -> (WebSocketFrame) new TextWebSocketFrame(s)),
                text.map(s -> (WebSocketFrame) new TextWebSocketFrame(s)),
                text.map(s -> (WebSocketFrame) new TextWebSocketFrame(s)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(20).map(b ->
                        (WebSocketFrame) new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b))));
    }

    @Property(tries = 300)
    void brokerRefusesAnyAnswerButTheRightOneWithUnauthorizedAndAClose(@ForAll("frame") WebSocketFrame frame) {
        assertTimeoutPreemptively(TRY_TIMEOUT, () -> {
            FederationAudit audit = new FederationAudit();
            try (LocalEngine engine =
                    LocalEngine.open(EmbeddedEngineConfig.memory().build())) {
                EmbeddedChannel channel = new EmbeddedChannel(new FederationAcceptor(
                        FederationSettings.of(List.of(
                                new FederationSecret(NAME, SECRET, FederationSecret.Access.READ_WRITE, List.of("*")))),
                        audit,
                        engine,
                        ServerOptions.defaults(),
                        new ClientRegistry()));
                try {
                    channel.pipeline()
                            .fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete(
                                    "/federate", new DefaultHttpHeaders(), null));
                    TextWebSocketFrame challenge = channel.readOutbound();
                    assertThat(challenge.text()).contains("\"challenge\"");
                    challenge.release();

                    channel.writeInbound(frame);
                    channel.runPendingTasks();
                    channel.checkException();

                    List<Object> out = drain(channel);
                    assertThat(out).hasSize(2);
                    assertThat(((TextWebSocketFrame) out.get(0)).text()).contains("\"error\":\"unauthorized\"");
                    assertThat(((CloseWebSocketFrame) out.get(1)).statusCode()).isEqualTo(1008);
                    assertThat(channel.isOpen()).isFalse();
                    assertThat(audit.latest()).hasSize(1);
                    out.forEach(ReferenceCountUtil::release);
                } finally {
                    channel.finishAndReleaseAll();
                }
            }
        });
    }

    @Property(tries = 300)
    void dialerAnswersAChallengeOrFailsTheLinkNamingTheBroker(
            @ForAll("frame") WebSocketFrame first, @ForAll("frame") WebSocketFrame second) {
        assertTimeoutPreemptively(TRY_TIMEOUT, () -> {
            EmbeddedChannel channel = new EmbeddedChannel();
            FederationDialer.addTo(
                    channel,
                    FederationUrl.parse("ws://127.0.0.1:1/federate"),
                    null,
                    new FederationKey(NAME, SECRET),
                    64 * 1024,
                    60_000,
                    60_000);
            // the frames arrive as the WebSocket layer would hand them on, after the upgrade
            channel.pipeline().remove("http");
            channel.pipeline().remove("http-aggregator");
            channel.pipeline().remove("ws");
            List<Throwable> failures = new ArrayList<>();
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    failures.add(cause);
                }
            });
            try {
                channel.pipeline()
                        .fireUserEventTriggered(
                                WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
                for (WebSocketFrame frame : List.of(first, second)) {
                    if (!channel.isOpen() || channel.pipeline().get("federation") == null) {
                        ReferenceCountUtil.release(frame);
                        continue;
                    }
                    channel.writeInbound(frame);
                    channel.runPendingTasks();
                }
                channel.checkException();
                assertThat(failures)
                        .allSatisfy(f ->
                                assertThat(f).isInstanceOf(FerryException.class).hasMessageContaining("127.0.0.1:1"));
                if (!failures.isEmpty()) {
                    assertThat(channel.isOpen()).isFalse();
                }
                for (Object o : drain(channel)) {
                    // the one thing a dialer sends before it is accepted: its answer
                    JsonNode answer = JSON.readTree(((TextWebSocketFrame) o).text());
                    assertThat(answer.path("secret").asText()).isEqualTo(NAME);
                    ReferenceCountUtil.release(o);
                }
            } finally {
                channel.finishAndReleaseAll();
            }
        });
    }

    private static List<Object> drain(EmbeddedChannel channel) {
        List<Object> out = new ArrayList<>();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            out.add(o);
        }
        return out;
    }
}
