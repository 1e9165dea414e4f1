package dev.ferry.server;

import dev.ferry.nsq.HttpRoute;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /rpc} on the broker's HTTP port: JSON-RPC 2.0 through {@link JsonRpc}. Every answer is
 * 200 with a JSON body (errors are JSON-RPC error objects), or 204 for notifications alone. With an
 * auth service configured the request's secret must grant {@code publish} on the topic {@value
 * #AUTH_TOPIC}, since methods such as {@code mqueue.fetch} remove data.
 *
 * <p>Thread-safe; answers on the event loop (the methods do not block).
 */
final class RpcRoute implements HttpRoute {
    /** The topic whose publish permission an auth service grants to allow {@code /rpc}. */
    static final String AUTH_TOPIC = "ferry.rpc";

    private final JsonRpc rpc;

    RpcRoute(JsonRpc rpc) {
        this.rpc = rpc;
    }

    @Override
    public String path() {
        return "/rpc";
    }

    @Override
    public String method() {
        return "POST";
    }

    @Override
    public Optional<String> authTopic() {
        return Optional.of(AUTH_TOPIC);
    }

    @Override
    public CompletableFuture<Response> handle(Request request) {
        return CompletableFuture.completedFuture(rpc.handle(request.body())
                .map(body -> new Response(200, "application/json", body))
                .orElseGet(() -> new Response(204, null, new byte[0])));
    }
}
