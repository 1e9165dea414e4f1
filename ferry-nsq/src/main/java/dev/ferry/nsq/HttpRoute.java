package dev.ferry.nsq;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An extra endpoint served on the broker's HTTP port beside nsqd's API (given to {@link
 * NsqTcpServer.Builder#routes}), e.g. the server's JSON-RPC
 * at {@code /rpc}. A route has one exact path and accepts one method; other methods get nsqd's 405
 * {@code METHOD_NOT_ALLOWED} with {@code Allow} (the method and {@code OPTIONS}, sorted), and
 * {@code OPTIONS} gets 200 with the same {@code Allow}. It cannot replace one of nsqd's paths.
 *
 * <p>Auth: when the server has an auth service and the route names an {@link #authTopic()}, a
 * request is handled only if it carries a secret ({@code Authorization: Bearer SECRET} or {@code
 * ?secret=}) whose answer grants {@code publish} on that topic, as for {@code /pub}; else 401 {@code
 * AUTH_REQUIRED} or 403 {@code UNAUTHORIZED} / {@code AUTH_FAILED}.
 *
 * <p>Threading: {@link #handle} is called on a connection's event loop and must not block; slow work
 * completes the future later, from any thread. Implementations must be thread-safe.
 */
public interface HttpRoute {
    /** The exact path, e.g. {@code /rpc}. */
    String path();

    /** The one method accepted, e.g. {@code POST}. */
    String method();

    /** The topic whose publish permission guards this route when auth is configured; empty: open. */
    Optional<String> authTopic();

    /**
     * Answers one request. A future that fails answers 500 {@code INTERNAL_ERROR}.
     *
     * @param request the request, whose body array belongs to the route
     */
    CompletableFuture<Response> handle(Request request);

    /**
     * A request to a route.
     *
     * @param method the HTTP method
     * @param uri the request URI (path and query)
     * @param headers the request headers (the last value of each, names in lower case)
     * @param body the request body (empty when none)
     * @param remoteIp the client's address
     */
    record Request(String method, String uri, Map<String, String> headers, byte[] body, String remoteIp) {}

    /**
     * A route's answer.
     *
     * @param status the HTTP status code
     * @param contentType the {@code Content-Type} (null: none)
     * @param body the body (empty for none); the server owns it once returned
     */
    record Response(int status, String contentType, byte[] body) {
        /** Rejects a null body and a status outside 100-599. */
        public Response {
            Objects.requireNonNull(body, "body");
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("HTTP status must be 100-599, got " + status);
            }
        }
    }
}
