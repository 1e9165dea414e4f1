package dev.ferry.nsq.internal.http;

import io.netty.handler.codec.http.FullHttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * One endpoint of the broker's HTTP API, as registered with the router. It is called on the
 * connection's event loop and must not block: work that waits (an engine's durability promise, an
 * auth service, a query's reply) completes the future later, from any thread.
 *
 * <p>An invalid request is refused by throwing, or failing the future with, an {@link
 * dev.ferry.nsq.internal.httpapi.HttpError}; any other failure answers 500 {@code INTERNAL_ERROR}.
 */
@FunctionalInterface
interface Endpoint {
    /** Answers {@code exchange}; the response belongs to the caller. */
    CompletableFuture<FullHttpResponse> handle(Exchange exchange);
}
