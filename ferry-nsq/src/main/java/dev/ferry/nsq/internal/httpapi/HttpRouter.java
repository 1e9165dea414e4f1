package dev.ferry.nsq.internal.httpapi;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Method and exact path to a handler, answering what no handler takes as nsqd 1.3 and nsqlookupd
 * 1.3 do. Both run julienschmidt/httprouter 1.3 with {@code HandleMethodNotAllowed} and NSQ's
 * {@code NotFound} and {@code MethodNotAllowed} handlers, so:
 *
 * <ul>
 *   <li>a path no route has: 404 {@code {"message":"NOT_FOUND"}};
 *   <li>a path with routes, for another method: 405 {@code {"message":"METHOD_NOT_ALLOWED"}} and an
 *       {@code Allow} header listing the path's methods and {@code OPTIONS}, sorted and joined with
 *       {@code ", "} (a {@code GET} path: {@code GET, OPTIONS}; a {@code POST} path: {@code OPTIONS,
 *       POST});
 *   <li>{@code OPTIONS} on a path with routes (unless a route takes {@code OPTIONS} itself): 200, an
 *       empty body and the same {@code Allow}, without NSQ's content-type header;
 *   <li>{@code HEAD} is a method like any other: httprouter does not serve it with the {@code GET}
 *       route, so a {@code GET} path answers {@code HEAD} with 405 (Netty's HTTP codec then sends the
 *       headers without the body).
 * </ul>
 *
 * <p>The 404 and 405 answers carry {@code X-NSQ-Content-Type}, as NSQ's {@code RespondV1} writes
 * them. Paths are matched exactly: httprouter's trailing-slash and case redirects are not copied
 * (such a request gets 404).
 *
 * <p>Immutable once built and thread-safe; {@link #route} never blocks and allocates only for an
 * answer. The handler type {@code H} is the server's own (each server calls its handlers its way).
 *
 * @param <H> the type of the handlers
 */
public final class HttpRouter<H> {
    private final Map<String, Path<H>> paths;

    private HttpRouter(Map<String, Path<H>> paths) {
        this.paths = paths;
    }

    /** A new, empty builder. */
    public static <H> Builder<H> builder() {
        return new Builder<>();
    }

    /** What the router decided for a request: a handler to run, or an answer of its own. */
    public sealed interface Decision<H> permits Handle, Answer {}

    /**
     * Run {@code handler}: the route of the request's method and path.
     *
     * @param handler the route's handler
     * @param <H> the type of the handlers
     */
    public record Handle<H>(H handler) implements Decision<H> {}

    /**
     * Answer with {@code response}: 404, 405 or the answer to {@code OPTIONS}; it belongs to the
     * caller, who writes it as it is.
     *
     * @param response the router's answer
     * @param <H> the type of the handlers
     */
    public record Answer<H>(FullHttpResponse response) implements Decision<H> {}

    /** The handler for {@code method} on {@code path} (the path alone, no query), or the answer. */
    public Decision<H> route(HttpMethod method, String path) {
        Path<H> p = paths.get(path);
        if (p == null) {
            return new Answer<>(notFound());
        }
        H handler = p.handlers.get(method);
        if (handler != null) {
            return new Handle<>(handler);
        }
        if (method.equals(HttpMethod.OPTIONS)) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers().set(HttpHeaderNames.ALLOW, p.allow);
            return new Answer<>(r);
        }
        FullHttpResponse r =
                HttpResponses.nsq(HttpResponses.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"));
        r.headers().set(HttpHeaderNames.ALLOW, p.allow);
        return new Answer<>(r);
    }

    /** Whether some route has exactly {@code path}, for any method. */
    public boolean hasPath(String path) {
        return paths.containsKey(path);
    }

    /** nsqd's answer to a path no route has. */
    public static FullHttpResponse notFound() {
        return HttpResponses.nsq(HttpResponses.error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND"));
    }

    /** One path's handlers by method, and its {@code Allow} header. */
    private record Path<H>(Map<HttpMethod, H> handlers, String allow) {}

    /** Collects routes; not thread-safe, use from one thread and then {@link #build()}. */
    public static final class Builder<H> {
        private final Map<String, Map<HttpMethod, H>> routes = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Routes {@code method} on exactly {@code path} to {@code handler}.
         *
         * @return this builder
         * @throws IllegalArgumentException when the path does not start with {@code /} or has a
         *     query, or when the method already has a route on this path
         */
        public Builder<H> route(HttpMethod method, String path, H handler) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(handler, "handler");
            if (path == null || !path.startsWith("/") || path.contains("?")) {
                throw new IllegalArgumentException("an HTTP route's path starts with / and has no query, got " + path);
            }
            Map<HttpMethod, H> byMethod = routes.computeIfAbsent(path, p -> new LinkedHashMap<>());
            if (byMethod.putIfAbsent(method, handler) != null) {
                throw new IllegalArgumentException("two HTTP routes for " + method + " " + path);
            }
            return this;
        }

        /** {@link #route} for {@code GET}. */
        public Builder<H> get(String path, H handler) {
            return route(HttpMethod.GET, path, handler);
        }

        /** {@link #route} for {@code POST}. */
        public Builder<H> post(String path, H handler) {
            return route(HttpMethod.POST, path, handler);
        }

        /** Whether a route has exactly {@code path}, for any method. */
        public boolean hasPath(String path) {
            return routes.containsKey(path);
        }

        /** The router over the routes collected so far; the builder may go on collecting. */
        public HttpRouter<H> build() {
            Map<String, Path<H>> paths = new HashMap<>();
            routes.forEach((path, byMethod) -> paths.put(path, new Path<>(Map.copyOf(byMethod), allow(byMethod))));
            return new HttpRouter<>(Map.copyOf(paths));
        }

        /** httprouter's {@code Allow}: the path's methods and OPTIONS, in byte order, comma-separated. */
        private static String allow(Map<HttpMethod, ?> byMethod) {
            List<String> names = new ArrayList<>();
            byMethod.keySet().stream()
                    .map(HttpMethod::name)
                    .filter(m -> !m.equals("OPTIONS"))
                    .forEach(names::add);
            names.add("OPTIONS");
            names.sort(null);
            return String.join(", ", names);
        }
    }
}
