package dev.ferry.nsq.internal.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.nsq.FederationSecret;
import dev.ferry.nsq.FederationSettings;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.server.ClientRegistry;
import dev.ferry.nsq.internal.server.PeerGrant;
import dev.ferry.nsq.internal.server.V2ChannelInitializer;
import dev.ferry.spi.Engine;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The broker's side of a federated link, after the WebSocket upgrade: sends the challenge, checks the
 * answer against the named secret, and on success replaces itself (and the HTTP API behind it) with
 * NSQ's protocol V2, limited to what the secret names. On failure it answers {@code unauthorized},
 * records why ({@link FederationAudit}) and closes with WebSocket status 1008.
 *
 * <p>The nonce lives in this handler only, one per connection, and is forgotten at the first answer,
 * right or wrong: an answer captured on one connection is worth nothing on another, and a peer gets
 * one try per connection. HTTP requests that are not an upgrade pass through untouched.
 *
 * <p>Threading: one instance per channel, on its event loop.
 */
public final class FederationAcceptor extends ChannelInboundHandlerAdapter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FederationSettings settings;
    private final FederationAudit audit;
    private final Engine engine;
    private final ServerOptions options;
    private final ClientRegistry clients;
    private byte[] nonce;
    private boolean answered;
    private ScheduledFuture<?> deadline;

    /** Accepts peers holding one of the secrets of {@code settings}; refusals go to {@code audit}. */
    public FederationAcceptor(
            FederationSettings settings,
            FederationAudit audit,
            Engine engine,
            ServerOptions options,
            ClientRegistry clients) {
        this.settings = settings;
        this.audit = audit;
        this.engine = engine;
        this.options = options;
        this.clients = clients;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            nonce = Challenge.nonce();
            Map<String, Object> challenge = new LinkedHashMap<>();
            challenge.put("protocol", Challenge.PROTOCOL);
            challenge.put("challenge", Base64.getEncoder().encodeToString(nonce));
            ctx.writeAndFlush(new TextWebSocketFrame(JSON.writeValueAsString(challenge)));
            long millis = settings.challengeTimeout().toMillis();
            deadline = ctx.executor()
                    .schedule(
                            () -> refuse(ctx, "-", "did not answer the challenge in " + millis + " ms"),
                            millis,
                            TimeUnit.MILLISECONDS);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg); // an HTTP request for the API
            return;
        }
        try {
            if (nonce == null || answered || !(frame instanceof TextWebSocketFrame text)) {
                refuse(ctx, "-", "sent NSQ data before answering the challenge");
                return;
            }
            answered = true;
            byte[] challenge = nonce;
            nonce = null; // single use, right or wrong
            check(ctx, text.text(), challenge);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void check(ChannelHandlerContext ctx, String answerJson, byte[] challenge) {
        String name;
        byte[] answer;
        try {
            JsonNode node = JSON.readTree(answerJson);
            name = node.path("secret").asText("");
            answer = Base64.getDecoder().decode(node.path("answer").asText(""));
        } catch (IOException | IllegalArgumentException e) {
            refuse(ctx, "-", "answered the challenge with something that is not {\"secret\":..,\"answer\":..}");
            return;
        }
        FederationSecret secret = settings.secret(name);
        if (secret == null) {
            refuse(ctx, name, "names a secret this broker does not have");
            return;
        }
        if (!Challenge.verify(secret.secret(), challenge, settings.path(), name, answer)) {
            refuse(
                    ctx,
                    name,
                    "gave a wrong answer to the challenge (wrong secret, or an answer replayed from"
                            + " another connection)");
            return;
        }
        accept(ctx, secret);
    }

    private void accept(ChannelHandlerContext ctx, FederationSecret secret) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        ctx.writeAndFlush(new TextWebSocketFrame("{\"ok\":true}"));
        ChannelPipeline p = ctx.pipeline();
        String me = ctx.name();
        WebSocketPinger.addAfter(p, me, settings.pingInterval().toMillis());
        p.addAfter("ws-ping", "ws-bytes", WebSocketBytes.INSTANCE);
        V2ChannelInitializer.installAfter(p, "ws-bytes", engine, options, new SecretGrant(ctx, secret), clients);
        // the HTTP API behind this handler has nothing more to read on this channel
        while (p.last() != p.get("protocol")) {
            p.removeLast();
        }
        p.context("ws-bytes").fireChannelActive();
        p.remove(this);
    }

    private void refuse(ChannelHandlerContext ctx, String name, String why) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        nonce = null;
        answered = true;
        if (!ctx.channel().isActive()) {
            return;
        }
        audit.refused("peer " + ctx.channel().remoteAddress() + " with secret \"" + name + "\" " + why);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error", "unauthorized");
        error.put("message", "the broker refused the federation: " + why);
        String text;
        try {
            text = JSON.writeValueAsString(error);
        } catch (IOException e) {
            text = "{\"error\":\"unauthorized\"}";
        }
        ctx.write(new TextWebSocketFrame(text));
        ctx.writeAndFlush(new CloseWebSocketFrame(1008, "unauthorized")).addListener(ChannelFutureListener.CLOSE);
    }

    /** What a peer holding {@code secret} may do: write for PUB, MPUB and DPUB, read for SUB. */
    private final class SecretGrant implements PeerGrant {
        private final String peer;
        private final FederationSecret secret;

        SecretGrant(ChannelHandlerContext ctx, FederationSecret secret) {
            this.peer = String.valueOf(ctx.channel().remoteAddress());
            this.secret = secret;
        }

        @Override
        public boolean allows(String command, String topic) {
            FederationSecret.Access needed = switch (command) {
                case "PUB", "MPUB", "DPUB" -> FederationSecret.Access.WRITE;
                case "SUB" -> FederationSecret.Access.READ;
                default -> null;
            };
            return needed != null && secret.allows(needed, topic);
        }

        @Override
        public String refused(String command, String topic) {
            audit.refused("peer " + peer + " with secret \"" + secret.name() + "\" may not " + command + " on topic \""
                    + topic + "\": the secret grants " + secret.access() + " on " + secret.patterns());
            return "AUTH failed for " + command + " on \"" + topic + "\": secret \"" + secret.name()
                    + "\" does not grant it";
        }
    }
}
