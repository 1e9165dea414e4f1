package dev.ferry.nsq.internal.http;

import dev.ferry.nsq.HttpRoute;
import dev.ferry.nsq.internal.httpapi.HttpRouter;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@link HttpRoute}s given to the server (the JSON-RPC endpoint, the admin page, queue state...)
 * registered beside nsqd's API: each on its one path and method, behind auth on its {@link
 * HttpRoute#authTopic()}, with the request and response converted between Netty's types and the
 * route's plain ones. A route may not take a path of nsqd's API, nor a path another route has.
 *
 * <p>Stateless; the routes must be thread-safe themselves.
 */
final class ExtraRoutes {
    private ExtraRoutes() {}

    /**
     * Registers {@code extra} on {@code routes}, which holds nsqd's API already.
     *
     * @throws IllegalArgumentException when two routes share a path or a route takes one of nsqd's
     */
    static void register(HttpRouter.Builder<Endpoint> routes, HttpAuthGuard guard, List<HttpRoute> extra) {
        Set<String> paths = new HashSet<>();
        for (HttpRoute r : extra) {
            if (routes.hasPath(r.path())
                    || r.path().startsWith("/topic/")
                    || r.path().startsWith("/channel/")) {
                throw new IllegalArgumentException("HTTP route " + r.path() + " would replace nsqd's endpoint");
            }
            if (!paths.add(r.path())) {
                throw new IllegalArgumentException("two HTTP routes for " + r.path());
            }
        }
        for (HttpRoute r : extra) {
            routes.route(
                    HttpMethod.valueOf(r.method()),
                    r.path(),
                    guard.publishingOn(r.authTopic(), x -> r.handle(request(x)).thenApply(ExtraRoutes::response)));
        }
    }

    private static HttpRoute.Request request(Exchange x) {
        FullHttpRequest request = x.request();
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        return new HttpRoute.Request(
                request.method().name(), request.uri(), headers, ByteBufUtil.getBytes(request.content()), x.remoteIp());
    }

    private static FullHttpResponse response(HttpRoute.Response r) {
        FullHttpResponse out = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        if (r.contentType() != null) {
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        }
        return out;
    }
}
