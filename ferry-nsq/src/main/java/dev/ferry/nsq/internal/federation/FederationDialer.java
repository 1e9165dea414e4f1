package dev.ferry.nsq.internal.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryException;
import dev.ferry.nsq.FederationKey;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client's side of a federated link: opens the WebSocket, answers the broker's challenge with
 * the key's HMAC, and only then lets the NSQ client behind it see the channel as active, so the
 * client starts its V2 handshake (magic, IDENTIFY) on an authenticated link. A refusal reaches the
 * client as a {@link FerryException} whose message starts with {@code unauthorized}; a WebSocket
 * handshake that fails (no federation at that path, a proxy's error page) as one naming the status.
 *
 * <p>Threading: one instance per channel, on its event loop; removes itself once authenticated.
 */
public final class FederationDialer extends ChannelInboundHandlerAdapter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FederationUrl url;
    private final FederationKey key;
    private final long answerMillis;
    private boolean challenged;
    private ScheduledFuture<?> deadline;

    private FederationDialer(FederationUrl url, FederationKey key, long answerMillis) {
        this.url = url;
        this.key = key;
        this.answerMillis = answerMillis;
    }

    /**
     * Adds the WebSocket client, the pinger and the dialer to an empty pipeline; what the caller adds
     * afterwards reads and writes V2 bytes. {@code tls} (null for {@code ws://}) must be a client
     * context when the URL is {@code wss://}. The broker has {@code answerMillis} after the upgrade to
     * send its challenge, and again to accept the answer.
     */
    public static void addTo(
            Channel ch,
            FederationUrl url,
            SslContext tls,
            FederationKey key,
            int maxFrame,
            long pingMillis,
            long answerMillis) {
        ChannelPipeline p = ch.pipeline();
        if (url.secure()) {
            p.addLast("ws-tls", tls.newHandler(ch.alloc(), url.host(), url.port()));
        }
        p.addLast("http", new HttpClientCodec())
                .addLast("http-aggregator", new HttpObjectAggregator(64 * 1024))
                .addLast(
                        "ws",
                        new WebSocketClientProtocolHandler(
                                WebSocketClientHandshakerFactory.newHandshaker(
                                        url.uri(),
                                        WebSocketVersion.V13,
                                        null,
                                        false,
                                        new DefaultHttpHeaders(),
                                        maxFrame),
                                true,
                                true));
        WebSocketPinger.addAfter(p, "ws", pingMillis);
        p.addLast("federation", new FederationDialer(url, key, answerMillis))
                .addLast("ws-bytes", WebSocketBytes.INSTANCE);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // held back: the NSQ client starts once the broker has accepted the key
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            expectWithin(ctx, "send the federation challenge");
        } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            fail(ctx, new FerryException("no federation at " + url + ": the WebSocket upgrade timed out"));
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /** Fails the link unless the broker answers within the time allowed. */
    private void expectWithin(ChannelHandlerContext ctx, String what) {
        cancelDeadline();
        deadline = ctx.executor()
                .schedule(
                        () -> fail(
                                ctx,
                                new FerryException("the broker at " + url + " did not " + what + " within "
                                        + answerMillis + " ms")),
                        answerMillis,
                        TimeUnit.MILLISECONDS);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (!(msg instanceof TextWebSocketFrame text)) {
                fail(ctx, new FerryException("the broker at " + url + " sent data before the federation challenge"));
                return;
            }
            JsonNode node = JSON.readTree(text.text());
            if (node.has("error")) {
                fail(
                        ctx,
                        new FerryException(node.path("error").asText("unauthorized") + ": broker at " + url
                                + " refused federation key \"" + key.name() + "\" ("
                                + node.path("message").asText("no reason given") + ")"));
            } else if (!challenged && node.has("challenge")) {
                challenged = true;
                byte[] nonce = Base64.getDecoder().decode(node.path("challenge").asText());
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("secret", key.name());
                answer.put(
                        "answer",
                        Base64.getEncoder()
                                .encodeToString(Challenge.answer(key.secret(), nonce, url.path(), key.name())));
                ctx.writeAndFlush(new TextWebSocketFrame(JSON.writeValueAsString(answer)));
                expectWithin(ctx, "accept or refuse the answer to its challenge");
            } else if (challenged && node.path("ok").asBoolean(false)) {
                cancelDeadline();
                ctx.fireChannelActive();
                ctx.pipeline().remove(this);
            } else {
                fail(
                        ctx,
                        new FerryException("the broker at " + url + " does not speak " + Challenge.PROTOCOL
                                + ": unexpected text " + abbreviate(text.text())));
            }
        } catch (IOException | IllegalArgumentException e) {
            fail(
                    ctx,
                    new FerryException(
                            "the broker at " + url + " sent a challenge that cannot be read: " + e.getMessage()));
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof WebSocketClientHandshakeException e) {
            ctx.fireExceptionCaught(new FerryException(
                    "no federation at " + url + ": the WebSocket upgrade failed (" + e.getMessage() + ")", e));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void fail(ChannelHandlerContext ctx, FerryException cause) {
        cancelDeadline();
        ctx.fireExceptionCaught(cause);
        ctx.close();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
