package dev.ferry.nsq.internal.http;

import dev.ferry.nsq.internal.httpapi.HttpError;
import dev.ferry.nsq.internal.server.AuthClient;
import dev.ferry.nsq.internal.server.TlsPeer;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP API's auth checks, as decorators of endpoints: with an auth service, a request must
 * carry a secret ({@code Authorization: Bearer SECRET}, or {@code ?secret=}) whose answer allows it
 * on its topic — publish without a channel, subscribe with one, as nsqd's {@code State.allows}.
 * Refusals: 401 {@code AUTH_REQUIRED} without a secret, 403 {@code AUTH_FAILED} when the service
 * cannot be asked or refuses, 403 {@code UNAUTHORIZED} when the answer does not allow it. A request
 * without a topic is not checked (its endpoint refuses it with {@code MISSING_ARG_TOPIC}).
 *
 * <p>Answers are kept in an {@link AuthAnswerCache} until their TTL runs out. Without an auth
 * service the decorators return the endpoint itself. Thread-safe; nothing here blocks: the
 * endpoint runs on the auth client's thread once the service answered.
 */
final class HttpAuthGuard {
    private final AuthClient auth;
    private final AuthAnswerCache answers;

    /** Checks with {@code auth} (null: no checks), keeping answers in {@code answers}. */
    HttpAuthGuard(AuthClient auth, AuthAnswerCache answers) {
        this.auth = auth;
        this.answers = answers;
    }

    /** The cache of answers, for its counters. */
    AuthAnswerCache answers() {
        return answers;
    }

    /** {@code endpoint} run only when publishing on the request's {@code topic} is allowed. */
    Endpoint publishing(Endpoint endpoint) {
        return auth == null ? endpoint : x -> check(x, x.param("topic"), "", endpoint);
    }

    /**
     * {@code endpoint} run only when subscribing to the request's {@code topic} and {@code channel}
     * is allowed (publishing when the request names no channel).
     */
    Endpoint subscribing(Endpoint endpoint) {
        return auth == null
                ? endpoint
                : x -> check(x, x.param("topic"), x.param("channel").orElse(""), endpoint);
    }

    /** {@code endpoint} run only when publishing on {@code topic} is allowed (empty: always). */
    Endpoint publishingOn(Optional<String> topic, Endpoint endpoint) {
        return auth == null || topic.isEmpty() ? endpoint : x -> check(x, topic, "", endpoint);
    }

    private CompletableFuture<FullHttpResponse> check(
            Exchange x, Optional<String> topic, String channel, Endpoint endpoint) {
        if (topic.isEmpty()) {
            return endpoint.handle(x); // the endpoint reports a missing topic itself
        }
        String header = x.request().headers().get(HttpHeaderNames.AUTHORIZATION, "");
        String secret = header.startsWith("Bearer ")
                ? header.substring(7)
                : x.param("secret").orElse("");
        if (secret.isEmpty()) {
            throw new HttpError(HttpResponseStatus.UNAUTHORIZED, "AUTH_REQUIRED");
        }
        AuthAnswerCache.Key key = new AuthAnswerCache.Key(
                secret,
                x.remoteIp(),
                TlsPeer.established(x.ctx().pipeline()),
                TlsPeer.commonName(x.ctx().pipeline()));
        AuthClient.State known = answers.get(key, auth.clock().millis());
        CompletableFuture<AuthClient.State> answer = known != null
                ? CompletableFuture.completedFuture(known)
                : auth.query(key.remoteIp(), key.tls(), key.commonName(), secret)
                        .handle((s, e) -> {
                            if (e != null) {
                                throw new HttpError(HttpResponseStatus.FORBIDDEN, "AUTH_FAILED");
                            }
                            answers.put(key, s);
                            return s;
                        });
        return answer.thenCompose(s -> {
            if (!s.allows(topic.get(), channel)) {
                throw new HttpError(HttpResponseStatus.FORBIDDEN, "UNAUTHORIZED");
            }
            return endpoint.handle(x);
        });
    }
}
