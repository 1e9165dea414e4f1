package dev.ferry.nsq.internal.http;

import dev.ferry.nsq.internal.httpapi.HttpResponses;
import dev.ferry.nsq.internal.httpapi.HttpRouter;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What nsqd says about itself: {@code GET /ping} ({@code OK}, for health checks) and {@code GET
 * /info} (the {@code info} map it was given, as JSON). The broker has none of nsqd's {@code
 * /debug/*} endpoints (they answer 404). Immutable and thread-safe.
 */
final class NodeEndpoints {
    private final Map<String, Object> info;

    /** {@code info} is the body of {@code /info}. */
    NodeEndpoints(Map<String, Object> info) {
        this.info = info;
    }

    void register(HttpRouter.Builder<Endpoint> routes) {
        routes.get("/ping", x -> CompletableFuture.completedFuture(HttpResponses.text(HttpResponseStatus.OK, "OK")));
        routes.get("/info", x -> CompletableFuture.completedFuture(HttpResponses.json(info)));
    }
}
