package dev.ferry.nsq.internal.http;

import dev.ferry.PublishRejectedException;
import dev.ferry.nsq.HttpRoute;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.httpapi.HttpError;
import dev.ferry.nsq.internal.httpapi.HttpResponses;
import dev.ferry.nsq.internal.httpapi.HttpRouter;
import dev.ferry.nsq.internal.server.AuthClient;
import dev.ferry.nsq.internal.server.ClientRegistry;
import dev.ferry.spi.Engine;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nsqd's HTTP API over an engine, as a Netty handler: it routes each request with an {@link
 * HttpRouter} (nsqd's 404, 405 with {@code Allow}, and {@code OPTIONS}) to the endpoint classes, each
 * with one job, and writes their answers:
 *
 * <ul>
 *   <li>{@link NodeEndpoints}: {@code GET /ping}, {@code /info};
 *   <li>{@link PublishEndpoints}: {@code POST} (or {@code PUT}) {@code /pub}, {@code /mpub};
 *   <li>{@link StatsEndpoint}: {@code GET /stats};
 *   <li>{@link AdminEndpoints}: {@code POST /topic/*}, {@code /channel/*} (with Ferry's {@code
 *       /channel/dead-letter});
 *   <li>{@link SelfLookupEndpoints}: nsqlookupd's {@code /lookup}, {@code /topics}, {@code
 *       /channels}, {@code /nodes}, answered for this node alone;
 *   <li>{@link QueryEndpoint}: Ferry's {@code POST} (or {@code PUT}) {@code /query}, request/reply;
 *   <li>{@link MetricsEndpoint}: {@code GET /metrics}, Prometheus' text (when given metrics);
 *   <li>{@link AdminPage}: the admin web page at {@code /} and {@code /admin/};
 *   <li>{@link ExtraRoutes}: the server's own {@link HttpRoute}s.
 * </ul>
 *
 * <p>With an auth service, {@link HttpAuthGuard} checks the requests that publish or change data.
 * Every answer carries {@code X-NSQ-Content-Type} (except the router's answer to {@code OPTIONS},
 * as nsqd's); errors are nsqd's {@code {"message":"CODE"}}.
 *
 * <p>The same handler serves HTTPS behind a TLS handler: the auth service then hears {@code
 * tls=true} and the common name of the client's certificate, as on the TCP protocol. A plain
 * listener while nsqd's {@code --tls-required=true} holds answers every request with 403 {@code
 * TLS_REQUIRED} and the HTTPS port, as nsqd.
 *
 * <p>Shareable; runs on the connections' event loops and never blocks there. A request is retained
 * until its endpoint's future completes; the answer is written on the connection's event loop. A
 * publish answers once the engine's durability promise holds.
 */
@ChannelHandler.Sharable
public final class NsqHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(NsqHttpHandler.class);

    private final boolean refuseForTls;
    private final int httpsPort;
    private final HttpAuthGuard guard;
    private final QueryEndpoint queries;
    private final HttpRouter<Endpoint> router;
    private final LookupdNodes lookupdNodes;
    private static final Duration LOOKUPD_TIMEOUT = Duration.ofSeconds(2);

    /** Serves the API over {@code engine}; {@code info} is the body of {@code /info}. */
    public NsqHttpHandler(Engine engine, ServerOptions options, Map<String, Object> info) {
        this(engine, options, info, null, new ClientRegistry());
    }

    /**
     * Serves the API; with {@code auth}, requests that publish or change data must carry a secret
     * ({@code Authorization: Bearer SECRET}, or {@code ?secret=}) that the auth service allows:
     * publish on the topic for {@code /pub}, {@code /mpub} and {@code /topic/*}, subscribe on the
     * topic and channel for {@code /channel/*}.
     */
    public NsqHttpHandler(
            Engine engine, ServerOptions options, Map<String, Object> info, AuthClient auth, ClientRegistry clients) {
        this(engine, options, info, auth, clients, false, 0, List.of());
    }

    /**
     * Serves the API with auth (null: none), listing the clients of {@code clients} in {@code
     * /stats}; with {@code refuseForTls}, refuses every request with 403 {@code {"message":
     * "TLS_REQUIRED", "https_port": httpsPort}} instead (0: no HTTPS listener), as nsqd's plain HTTP
     * listener does when TLS is required. Extra {@code routes} answer on paths of their own (see
     * {@link HttpRoute}). Auth answers are kept for their TTL, at most {@value
     * AuthAnswerCache#DEFAULT_MAX_ENTRIES} of them, the least recently used evicted first.
     *
     * @throws IllegalArgumentException when two routes share a path or a route takes one of nsqd's
     */
    public NsqHttpHandler(
            Engine engine,
            ServerOptions options,
            Map<String, Object> info,
            AuthClient auth,
            ClientRegistry clients,
            boolean refuseForTls,
            int httpsPort,
            List<HttpRoute> routes) {
        this(engine, options, info, auth, clients, refuseForTls, httpsPort, routes, AdminOptions.NONE);
    }

    /**
     * The handler of {@link #NsqHttpHandler(Engine, ServerOptions, Map, AuthClient, ClientRegistry,
     * boolean, int, List)}, with {@code GET /metrics} and the admin page's cluster view as {@code
     * admin} says (the admin page itself is always served).
     */
    public NsqHttpHandler(
            Engine engine,
            ServerOptions options,
            Map<String, Object> info,
            AuthClient auth,
            ClientRegistry clients,
            boolean refuseForTls,
            int httpsPort,
            List<HttpRoute> routes,
            AdminOptions admin) {
        this(
                engine,
                options,
                info,
                clients,
                new HttpAuthGuard(auth, new AuthAnswerCache(AuthAnswerCache.DEFAULT_MAX_ENTRIES)),
                refuseForTls,
                httpsPort,
                routes,
                admin);
    }

    /** The full constructor, with the auth checks given (tests size their cache). */
    NsqHttpHandler(
            Engine engine,
            ServerOptions options,
            Map<String, Object> info,
            ClientRegistry clients,
            HttpAuthGuard guard,
            boolean refuseForTls,
            int httpsPort,
            List<HttpRoute> routes,
            AdminOptions admin) {
        this.refuseForTls = refuseForTls;
        this.httpsPort = httpsPort;
        this.guard = guard;
        this.queries = new QueryEndpoint(engine, options);
        long startTime = options.clock().millis() / 1000;
        PublishEndpoints publishing = new PublishEndpoints(engine, options);
        HttpRouter.Builder<Endpoint> table = HttpRouter.builder();
        new NodeEndpoints(info).register(table);
        publishedWith(table, "/pub", guard.publishing(publishing::pub));
        publishedWith(table, "/mpub", guard.publishing(publishing::mpub));
        publishedWith(table, "/query", guard.publishing(x -> queries.handle(x.request(), x.uri())));
        new StatsEndpoint(engine, options, clients, startTime).register(table);
        new AdminEndpoints(engine).register(table, guard);
        new SelfLookupEndpoints(engine, info, options.version()).register(table);
        if (admin.metrics() != null) {
            new MetricsEndpoint(admin.metrics()).register(table);
        }
        this.lookupdNodes = new LookupdNodes(admin.lookupdHttpAddresses(), LOOKUPD_TIMEOUT);
        new AdminPage(engine, lookupdNodes).register(table);
        ExtraRoutes.register(table, guard, routes);
        this.router = table.build();
    }

    /** Ferry takes {@code PUT} wherever nsqd takes {@code POST} to publish. */
    private static void publishedWith(HttpRouter.Builder<Endpoint> table, String path, Endpoint endpoint) {
        table.route(HttpMethod.POST, path, endpoint);
        table.route(HttpMethod.PUT, path, endpoint);
    }

    /** Closes what serving {@code /query} opened (its bus over the engine) and the lookupds' client. Idempotent. */
    public void shutdown() {
        queries.close();
        lookupdNodes.close();
    }

    /**
     * How many auth answers were evicted from the full answer cache (the least recently used first)
     * since this handler was made. Thread-safe.
     */
    public long authAnswerEvictions() {
        return guard.answers().evictions();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (refuseForTls) {
            write(ctx, HttpResponses.nsq(tlsRequired()), keepAlive);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        try {
            uri.path();
            uri.parameters();
        } catch (IllegalArgumentException e) {
            // as nsqd: a path or query that is not valid URL encoding is a bad request
            write(
                    ctx,
                    HttpResponses.nsq(HttpResponses.error(HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST")),
                    keepAlive);
            return;
        }
        try {
            HttpRouter.Decision<Endpoint> decision = router.route(request.method(), uri.path());
            if (decision instanceof HttpRouter.Answer<Endpoint> answer) {
                write(ctx, answer.response(), keepAlive);
                return;
            }
            Endpoint endpoint = ((HttpRouter.Handle<Endpoint>) decision).handler();
            // the request may be read after this method returns (an auth answer comes later)
            request.retain();
            CompletableFuture<FullHttpResponse> response;
            try {
                response = endpoint.handle(new Exchange(request, uri, ctx));
            } catch (RuntimeException e) {
                request.release();
                throw e;
            }
            response.whenComplete((r, e) -> ctx.executor().execute(() -> {
                request.release();
                FullHttpResponse out = e == null ? r : failure(request, e);
                write(ctx, HttpResponses.nsq(out), keepAlive);
            }));
        } catch (RuntimeException e) {
            write(ctx, HttpResponses.nsq(failure(request, e)), keepAlive);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // e.g. an HTTPS client that failed the handshake: nothing can be answered
        log.info("HTTP client {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpResponses.write(ctx, response, keepAlive);
    }

    /** nsqd's refusal on a plain listener while TLS is required, spaces included. */
    private FullHttpResponse tlsRequired() {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.FORBIDDEN,
                Unpooled.copiedBuffer(
                        "{\"message\": \"TLS_REQUIRED\", \"https_port\": " + httpsPort + "}", StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        return r;
    }

    /** The answer to a failed request: its {@link HttpError}, 503 for a refused publish, else 500. */
    private static FullHttpResponse failure(FullHttpRequest request, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof HttpError h) {
            return HttpResponses.error(h.status(), h.getMessage());
        }
        if (cause instanceof PublishRejectedException p) {
            return HttpResponses.error(HttpResponseStatus.SERVICE_UNAVAILABLE, p.getMessage());
        }
        // the path only: the query may hold a secret
        log.warn("HTTP {} {} failed", request.method(), new QueryStringDecoder(request.uri()).rawPath(), cause);
        return HttpResponses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR");
    }
}
