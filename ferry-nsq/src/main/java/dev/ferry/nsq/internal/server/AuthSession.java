package dev.ferry.nsq.internal.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.nsq.internal.codec.Inbound;
import dev.ferry.nsq.internal.protocol.GoQuote;
import dev.ferry.nsq.internal.protocol.NsqError;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AUTH and the permission checks of SUB and the publishing commands, as nsqd's: the secret is sent
 * to the auth service ({@link AuthClient}), whose answer says what the connection may do and for how
 * long; a check after that time asks the service again. Without an auth service every command is
 * allowed and AUTH answers {@code E_AUTH_DISABLED}.
 *
 * <p>Threading: used on the connection's event loop only. The auth service is queried off the loop;
 * while it answers, later commands wait (the connection holds them), and the answer is handled back
 * on the loop.
 */
final class AuthSession {
    private static final Logger log = LoggerFactory.getLogger(AuthSession.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final V2Connection connection;
    private final AuthClient auth;
    private final PeerGrant grant;
    private final ServerOptions options;
    private AuthClient.State state;
    private String secret;

    /**
     * Checks against {@code auth} (null when the broker has no auth service), or against {@code
     * grant} when the peer proved who it is before the protocol started (null otherwise; then AUTH
     * is not offered).
     */
    AuthSession(V2Connection connection, AuthClient auth, PeerGrant grant, ServerOptions options) {
        this.connection = connection;
        this.auth = grant == null ? auth : null;
        this.grant = grant;
        this.options = options;
    }

    /** Whether clients must AUTH before other commands. */
    boolean required() {
        return auth != null;
    }

    /** AUTH (the connection checked its state): asks the auth service what the secret allows. */
    void authenticate(Inbound.Command c) {
        if (!c.params().isEmpty()) {
            throw NsqError.fatal("E_INVALID", "AUTH invalid number of parameters");
        }
        if (c.bodyRefused()) {
            if (c.bodySize() > options.maxBodySize()) {
                throw NsqError.fatal("E_BAD_BODY", "AUTH body too big " + c.bodySize() + " > " + options.maxBodySize());
            }
            throw NsqError.fatal("E_BAD_BODY", "AUTH invalid body size " + c.bodySize());
        }
        if (state != null) {
            throw NsqError.fatal("E_INVALID", "AUTH already set");
        }
        if (auth == null) {
            throw NsqError.fatal("E_AUTH_DISABLED", "AUTH disabled");
        }
        secret = new String(c.body(), StandardCharsets.UTF_8);
        query(s -> {
            if (s.grants().isEmpty()) {
                throw NsqError.fatal("E_UNAUTHORIZED", "AUTH no authorizations found");
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("identity", s.identity());
            answer.put("identity_url", s.identityUrl());
            answer.put("permission_count", s.grants().size());
            try {
                connection.respond(new Frame.Response(JSON.writeValueAsBytes(answer)));
            } catch (JsonProcessingException e) {
                throw NsqError.fatal("E_AUTH_ERROR", "AUTH error " + e.getMessage());
            }
        });
    }

    /**
     * Runs {@code next} when the client may do {@code cmd} on the topic (and channel, for SUB), asking
     * the auth service again first when the answer's TTL ran out; nsqd's errors otherwise.
     */
    void authorized(String cmd, String topic, String channel, Runnable next) {
        if (grant != null) {
            if (!grant.allows(cmd, topic)) {
                throw NsqError.fatal("E_UNAUTHORIZED", grant.refused(cmd, topic));
            }
            next.run();
            return;
        }
        if (auth == null) {
            next.run();
            return;
        }
        if (state == null) {
            throw NsqError.fatal("E_AUTH_FIRST", "AUTH required before " + cmd);
        }
        Consumer<AuthClient.State> check = s -> {
            if (!s.allows(topic, channel)) {
                throw NsqError.fatal(
                        "E_UNAUTHORIZED",
                        "AUTH failed for " + cmd + " on " + GoQuote.quote(topic) + " " + GoQuote.quote(channel));
            }
            next.run();
        };
        if (!state.expired(options.clock().millis())) {
            check.accept(state);
        } else {
            query(check);
        }
    }

    /** Queries the auth service off the event loop; {@code then} runs on it with the new answer. */
    private void query(Consumer<AuthClient.State> then) {
        ChannelHandlerContext ctx = connection.ctx();
        String remoteIp = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "";
        boolean overTls = TlsPeer.established(ctx.pipeline());
        connection.hold();
        auth.query(remoteIp, overTls, TlsPeer.commonName(ctx.pipeline()), secret)
                .whenComplete((s, error) -> ctx.executor().execute(() -> {
                    connection.release();
                    try {
                        if (error != null) {
                            log.warn("client {}: AUTH failed {}", ctx.channel(), error.getMessage());
                            throw NsqError.fatal("E_AUTH_FAILED", "AUTH failed");
                        }
                        state = s;
                        ClientActivity activity = connection.activity();
                        activity.authed = !s.grants().isEmpty();
                        activity.authIdentity = s.identity();
                        activity.authIdentityUrl = s.identityUrl();
                        then.accept(s);
                    } catch (NsqError e) {
                        connection.fail(e);
                    }
                    connection.drainWaiting();
                }));
    }
}
