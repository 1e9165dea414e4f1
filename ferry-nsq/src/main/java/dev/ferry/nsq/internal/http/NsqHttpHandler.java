package dev.ferry.nsq.internal.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.DeadLetter;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.PublishRejectedException;
import dev.ferry.TopicStats;
import dev.ferry.nsq.HttpRoute;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.protocol.MpubBody;
import dev.ferry.nsq.internal.protocol.NsqError;
import dev.ferry.nsq.internal.server.AuthClient;
import dev.ferry.nsq.internal.server.ClientRegistry;
import dev.ferry.nsq.internal.server.TlsPeer;
import dev.ferry.spi.Engine;
import dev.ferry.spi.PublishRecord;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nsqd's HTTP API over an engine: {@code /ping}, {@code /info}, {@code /pub}, {@code /mpub},
 * {@code /stats}, and {@code /topic/*} and {@code /channel/*} administration, with nsqd's status
 * codes and {@code {"message":"CODE"}} errors; and nsqlookupd's queries ({@code /lookup},
 * {@code /topics}, {@code /channels}, {@code /nodes}) answered for this node alone, so a client
 * told that this address is its lookupd finds the node. Every response carries {@code
 * X-NSQ-Content-Type}. Ferry adds {@code POST /query} (request/reply, see {@link QueryEndpoint})
 * and {@code POST /channel/dead-letter?topic=&channel=&max_attempts=N[&dead_letter_topic=D]}, which
 * sets the channel's dead-letter policy in the engine ({@code max_attempts=0} removes it; the answer
 * is the policy as JSON) and which {@code /stats} shows per channel.
 *
 * <p>The same handler serves HTTPS behind a TLS handler: the auth service then hears {@code
 * tls=true} and the common name of the client's certificate, as on the TCP protocol. A plain
 * listener while nsqd's {@code --tls-required=true} holds answers every request with 403 {@code
 * TLS_REQUIRED} and the HTTPS port, as nsqd.
 *
 * <p>Shareable; runs on the connections' event loops. A publish answers once the
 * engine's durability promise holds.
 */
@ChannelHandler.Sharable
public final class NsqHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(NsqHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final String CONTENT_TYPE_HEADER = "X-NSQ-Content-Type";
    private static final String CONTENT_TYPE_VALUE = "nsq; version=1.0";

    private final Engine engine;
    private final ServerOptions options;
    private final Map<String, Object> info;
    private final AuthClient auth;
    private final ClientRegistry clients;
    private final boolean refuseForTls;
    private final int httpsPort;
    private final Map<AuthKey, AuthClient.State> authAnswers = new ConcurrentHashMap<>();
    private final long startTime;
    private final Map<String, HttpRoute> routes;
    private static final java.util.Set<String> BUILT_IN = java.util.Set.of(
            "/ping", "/info", "/stats", "/pub", "/mpub", "/query", "/lookup", "/topics", "/channels", "/nodes");
    private final QueryEndpoint queries;

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
     * {@link HttpRoute}).
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
        this.engine = engine;
        this.options = options;
        this.info = info;
        this.auth = auth;
        this.clients = clients;
        this.startTime = options.clock().millis() / 1000;
        this.refuseForTls = refuseForTls;
        this.httpsPort = httpsPort;
        Map<String, HttpRoute> byPath = new java.util.HashMap<>();
        for (HttpRoute r : routes) {
            if (BUILT_IN.contains(r.path())
                    || r.path().startsWith("/topic/")
                    || r.path().startsWith("/channel/")) {
                throw new IllegalArgumentException("HTTP route " + r.path() + " would replace nsqd's endpoint");
            }
            if (byPath.putIfAbsent(r.path(), r) != null) {
                throw new IllegalArgumentException("two HTTP routes for " + r.path());
            }
        }
        this.routes = Map.copyOf(byPath);
        this.queries = new QueryEndpoint(engine, options);
    }

    /** Closes what serving {@code /query} opened (its bus over the engine). Idempotent. */
    public void shutdown() {
        queries.close();
    }

    /** What an auth answer was asked with: the service may answer each differently. */
    private record AuthKey(String secret, String remoteIp, boolean tls, String commonName) {}

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (refuseForTls) {
            send(ctx, tlsRequired(), keepAlive);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        try {
            // the request may be read after this method returns (an auth answer comes later)
            request.retain();
            CompletableFuture<FullHttpResponse> response;
            try {
                response = route(request, uri, ctx);
            } catch (RuntimeException e) {
                request.release();
                throw e;
            }
            response.whenComplete((r, e) -> ctx.executor().execute(() -> {
                request.release();
                FullHttpResponse out = e == null ? r : failure(e);
                send(ctx, out, keepAlive);
            }));
        } catch (RuntimeException e) {
            send(ctx, failure(e), keepAlive);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // e.g. an HTTPS client that failed the handshake: nothing can be answered
        log.info("HTTP client {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        response.headers().set(CONTENT_TYPE_HEADER, CONTENT_TYPE_VALUE);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private CompletableFuture<FullHttpResponse> route(
            FullHttpRequest request, QueryStringDecoder uri, ChannelHandlerContext ctx) {
        String path = uri.path();
        HttpMethod method = request.method();
        return switch (path) {
            case "/ping" -> only(method, HttpMethod.GET, () -> text(HttpResponseStatus.OK, "OK"));
            case "/info" -> only(method, HttpMethod.GET, () -> json(info));
            case "/stats" -> only(method, HttpMethod.GET, () -> stats(uri));
            case "/pub" -> publishing(method, () -> guarded(request, uri, ctx, "", () -> pub(request, uri)));
            case "/mpub" -> publishing(method, () -> guarded(request, uri, ctx, "", () -> mpub(request, uri)));
            case "/query" ->
                publishing(method, () -> guarded(request, uri, ctx, "", () -> queries.handle(request, uri)));
            case "/lookup" -> only(method, HttpMethod.GET, () -> lookup(uri));
            case "/topics" -> only(method, HttpMethod.GET, () -> json(Map.of("topics", topicNames())));
            case "/channels" -> only(method, HttpMethod.GET, () -> json(Map.of("channels", channelNames(uri))));
            case "/nodes" -> only(method, HttpMethod.GET, this::nodes);
            default -> {
                if (path.startsWith("/topic/") || path.startsWith("/channel/")) {
                    if (!method.equals(HttpMethod.POST)) {
                        yield only(method, HttpMethod.POST, () -> null);
                    }
                    String channel =
                            path.startsWith("/channel/") ? param(uri, "channel").orElse("") : "";
                    yield guarded(
                            request, uri, ctx, channel, () -> CompletableFuture.completedFuture(admin(path, uri)));
                }
                HttpRoute extra = routes.get(path);
                if (extra != null) {
                    yield extra(extra, request, uri, ctx);
                }
                throw HttpError.notFound("NOT_FOUND");
            }
        };
    }

    private interface Action {
        FullHttpResponse run();
    }

    private interface AsyncAction {
        CompletableFuture<FullHttpResponse> run();
    }

    private static CompletableFuture<FullHttpResponse> only(HttpMethod method, HttpMethod allowed, Action action) {
        if (!method.equals(allowed)) {
            FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
            r.headers().set(HttpHeaderNames.ALLOW, allowed.name());
            return CompletableFuture.completedFuture(r);
        }
        return CompletableFuture.completedFuture(action.run());
    }

    private static CompletableFuture<FullHttpResponse> publishing(HttpMethod method, AsyncAction action) {
        if (!method.equals(HttpMethod.POST) && !method.equals(HttpMethod.PUT)) {
            FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
            r.headers().set(HttpHeaderNames.ALLOW, "POST, PUT");
            return CompletableFuture.completedFuture(r);
        }
        return action.run();
    }

    // ---- authorization ----------------------------------------------------------------------------

    /**
     * Runs {@code action} when auth is off or the request's secret allows it on the request's topic
     * (and {@code channel}); 401 AUTH_REQUIRED without a secret, 403 UNAUTHORIZED or AUTH_FAILED.
     */
    private CompletableFuture<FullHttpResponse> guarded(
            FullHttpRequest request,
            QueryStringDecoder uri,
            ChannelHandlerContext ctx,
            String channel,
            AsyncAction action) {
        return guarded(request, uri, ctx, param(uri, "topic"), channel, action);
    }

    /** {@link #guarded} for an explicit topic (empty: nothing to check). */
    private CompletableFuture<FullHttpResponse> guarded(
            FullHttpRequest request,
            QueryStringDecoder uri,
            ChannelHandlerContext ctx,
            Optional<String> topic,
            String channel,
            AsyncAction action) {
        if (auth == null || topic.isEmpty()) {
            return action.run(); // the action reports a missing topic itself
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        String secret = header.startsWith("Bearer ")
                ? header.substring(7)
                : param(uri, "secret").orElse("");
        if (secret.isEmpty()) {
            throw new HttpError(HttpResponseStatus.UNAUTHORIZED, "AUTH_REQUIRED");
        }
        String ip = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "";
        AuthKey key = new AuthKey(secret, ip, TlsPeer.established(ctx.pipeline()), TlsPeer.commonName(ctx.pipeline()));
        AuthClient.State known = authAnswers.get(key);
        CompletableFuture<AuthClient.State> answer =
                known != null && !known.expired(auth.clock().millis())
                        ? CompletableFuture.completedFuture(known)
                        : auth.query(key.remoteIp(), key.tls(), key.commonName(), secret)
                                .handle((s, e) -> {
                                    if (e != null) {
                                        throw new HttpError(HttpResponseStatus.FORBIDDEN, "AUTH_FAILED");
                                    }
                                    authAnswers.put(key, s);
                                    return s;
                                });
        return answer.thenCompose(s -> {
            if (!s.allows(topic.get(), channel)) {
                throw new HttpError(HttpResponseStatus.FORBIDDEN, "UNAUTHORIZED");
            }
            return action.run();
        });
    }

    // ---- extra routes ---------------------------------------------------------------------------

    /** An extra route: its method, then auth on its topic, then the route itself. */
    private CompletableFuture<FullHttpResponse> extra(
            HttpRoute route, FullHttpRequest request, QueryStringDecoder uri, ChannelHandlerContext ctx) {
        if (!request.method().name().equals(route.method())) {
            FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
            r.headers().set(HttpHeaderNames.ALLOW, route.method());
            return CompletableFuture.completedFuture(r);
        }
        String ip = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "";
        return guarded(request, uri, ctx, route.authTopic(), "", () -> {
            Map<String, String> headers = new java.util.HashMap<>();
            request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
            HttpRoute.Request in = new HttpRoute.Request(
                    request.method().name(), request.uri(), headers, ByteBufUtil.getBytes(request.content()), ip);
            return route.handle(in).thenApply(r -> {
                FullHttpResponse out = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
                if (r.contentType() != null) {
                    out.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
                }
                return out;
            });
        });
    }

    // ---- publishing -----------------------------------------------------------------------------

    private static Optional<String> param(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private static String topicParam(QueryStringDecoder uri) {
        String topic = param(uri, "topic").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_TOPIC"));
        if (!Names.isValid(topic)) {
            throw HttpError.badRequest("INVALID_TOPIC");
        }
        return topic;
    }

    private CompletableFuture<FullHttpResponse> pub(FullHttpRequest request, QueryStringDecoder uri) {
        int size = request.content().readableBytes();
        if (size > options.maxMsgSize()) {
            throw HttpError.tooBig("MSG_TOO_BIG");
        }
        if (size == 0) {
            throw HttpError.badRequest("MSG_EMPTY");
        }
        String topic = topicParam(uri);
        long defer = 0;
        Optional<String> deferParam = param(uri, "defer");
        if (deferParam.isPresent()) {
            try {
                defer = Long.parseLong(deferParam.get());
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("INVALID_DEFER");
            }
            if (defer < 0 || defer > options.maxReqTimeout().toMillis()) {
                throw HttpError.badRequest("INVALID_DEFER");
            }
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        return append(topic, List.of(new PublishRecord(body, defer)));
    }

    private CompletableFuture<FullHttpResponse> mpub(FullHttpRequest request, QueryStringDecoder uri) {
        int size = request.content().readableBytes();
        if (size > options.maxBodySize()) {
            throw HttpError.tooBig("BODY_TOO_BIG");
        }
        String topic = topicParam(uri);
        byte[] body = ByteBufUtil.getBytes(request.content());
        String binary = param(uri, "binary").orElse("false");
        boolean isBinary = !(binary.equals("false") || binary.equals("0"));
        List<PublishRecord> batch = new ArrayList<>();
        if (isBinary) {
            try {
                MpubBody.parse(body, options.maxMsgSize(), options.maxBodySize())
                        .forEach(b -> batch.add(PublishRecord.of(b)));
            } catch (NsqError e) {
                throw HttpError.tooBig(e.code().substring(2));
            }
        } else {
            int start = 0;
            for (int i = 0; i <= body.length; i++) {
                if (i == body.length || body[i] == '\n') {
                    int length = i - start;
                    if (length > options.maxMsgSize()) {
                        throw HttpError.tooBig("MSG_TOO_BIG");
                    }
                    if (length > 0) {
                        byte[] message = new byte[length];
                        System.arraycopy(body, start, message, 0, length);
                        batch.add(PublishRecord.of(message));
                    }
                    start = i + 1;
                }
            }
            if (batch.isEmpty()) {
                throw HttpError.badRequest("MSG_EMPTY");
            }
        }
        return append(topic, batch);
    }

    private CompletableFuture<FullHttpResponse> append(String topic, List<PublishRecord> batch) {
        return engine.append(topic, batch).handle((v, e) -> {
            if (e == null) {
                return text(HttpResponseStatus.OK, "OK");
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, cause.getMessage());
        });
    }

    // ---- statistics and administration ----------------------------------------------------------

    private FullHttpResponse stats(QueryStringDecoder uri) {
        List<TopicStats> topics = engine.stats();
        Optional<String> topic = param(uri, "topic");
        if (topic.isPresent()) {
            topics = topics.stream().filter(t -> t.name().equals(topic.get())).toList();
        }
        Optional<String> channel = param(uri, "channel");
        if (channel.isPresent()) {
            topics = topics.stream()
                    .map(t -> new TopicStats(
                            t.name(),
                            t.depth(),
                            t.messageCount(),
                            t.messageBytes(),
                            t.storedBytes(),
                            t.dropCount(),
                            t.rejectCount(),
                            t.paused(),
                            t.ephemeral(),
                            t.channels().stream()
                                    .filter(c -> c.name().equals(channel.get()))
                                    .toList()))
                    .toList();
        }
        StatsJson view = new StatsJson(
                options.version(),
                startTime,
                options.clock().millis() / 1000,
                goBool(param(uri, "include_clients")) ? clients : null,
                topic.orElse(null));
        boolean includeMem = goBool(param(uri, "include_mem"));
        if ("json".equals(param(uri, "format").orElse(""))) {
            return json(view.json(topics, includeMem));
        }
        return text(HttpResponseStatus.OK, view.text(topics, includeMem));
    }

    /** nsqd's reading of {@code include_*}: false only for {@code false} or {@code 0}. */
    private static boolean goBool(Optional<String> value) {
        return value.map(v -> !v.equals("false") && !v.equals("0")).orElse(true);
    }

    private FullHttpResponse admin(String path, QueryStringDecoder uri) {
        String[] parts = path.split("/");
        if (parts.length != 3) {
            throw HttpError.notFound("NOT_FOUND");
        }
        boolean isTopic = parts[1].equals("topic");
        String action = parts[2];
        String topic = param(uri, "topic").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_TOPIC"));
        try {
            if (isTopic) {
                topicAction(action, topic);
            } else if (action.equals("dead-letter")) {
                return json(deadLetter(topic, uri));
            } else {
                channelAction(action, topic, uri);
            }
        } catch (NotFoundException e) {
            throw HttpError.notFound(e.getMessage().startsWith("channel") ? "CHANNEL_NOT_FOUND" : "TOPIC_NOT_FOUND");
        }
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    }

    private void topicAction(String action, String topic) {
        if (!Names.isValid(topic)) {
            throw HttpError.badRequest("INVALID_TOPIC");
        }
        switch (action) {
            case "create" -> engine.createTopic(topic);
            case "delete" -> engine.deleteTopic(topic);
            case "empty" -> engine.emptyTopic(topic);
            case "pause" -> engine.setTopicPaused(topic, true);
            case "unpause" -> engine.setTopicPaused(topic, false);
            default -> throw HttpError.notFound("NOT_FOUND");
        }
    }

    private void channelAction(String action, String topic, QueryStringDecoder uri) {
        if (!Names.isValid(topic)) {
            throw HttpError.badRequest("INVALID_ARG_TOPIC");
        }
        String channel = param(uri, "channel").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_CHANNEL"));
        if (!Names.isValid(channel)) {
            throw HttpError.badRequest("INVALID_ARG_CHANNEL");
        }
        if (engine.stats(topic).isEmpty()) {
            throw HttpError.notFound("TOPIC_NOT_FOUND");
        }
        switch (action) {
            case "create" -> engine.createChannel(topic, channel);
            case "delete" -> engine.deleteChannel(topic, channel);
            case "empty" -> engine.emptyChannel(topic, channel);
            case "pause" -> engine.setChannelPaused(topic, channel, true);
            case "unpause" -> engine.setChannelPaused(topic, channel, false);
            default -> throw HttpError.notFound("NOT_FOUND");
        }
    }

    /** Sets a channel's dead-letter policy; answers it as {@code {"max_attempts":N,"dead_letter_topic":D}}. */
    private Map<String, Object> deadLetter(String topic, QueryStringDecoder uri) {
        String channel = checkedChannel(topic, uri);
        String attemptsParam =
                param(uri, "max_attempts").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_MAX_ATTEMPTS"));
        int maxAttempts;
        try {
            maxAttempts = Integer.parseInt(attemptsParam);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("INVALID_MAX_ATTEMPTS");
        }
        if (maxAttempts < 0) {
            throw HttpError.badRequest("INVALID_MAX_ATTEMPTS");
        }
        Optional<String> target = param(uri, "dead_letter_topic").filter(t -> !t.isEmpty());
        if (target.isPresent() && (!Names.isValid(target.get()) || maxAttempts == 0)) {
            throw HttpError.badRequest("INVALID_DEAD_LETTER_TOPIC");
        }
        DeadLetter policy = maxAttempts == 0
                ? DeadLetter.NONE
                : target.map(DeadLetter.after(maxAttempts)::to).orElse(DeadLetter.after(maxAttempts));
        String resolved;
        try {
            resolved = policy.enabled() ? policy.topicFor(topic) : null;
        } catch (IllegalArgumentException e) {
            // the default <topic>.dead would break the 64-character rule, or names the topic itself
            throw HttpError.badRequest(target.isEmpty() ? "DEAD_LETTER_TOPIC_REQUIRED" : "INVALID_DEAD_LETTER_TOPIC");
        }
        engine.setDeadLetter(topic, channel, policy);
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("max_attempts", maxAttempts);
        out.put("dead_letter_topic", resolved);
        return out;
    }

    private String checkedChannel(String topic, QueryStringDecoder uri) {
        if (!Names.isValid(topic)) {
            throw HttpError.badRequest("INVALID_ARG_TOPIC");
        }
        String channel = param(uri, "channel").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_CHANNEL"));
        if (!Names.isValid(channel)) {
            throw HttpError.badRequest("INVALID_ARG_CHANNEL");
        }
        return channel;
    }

    // ---- lookupd queries answered for this node ------------------------------------------------

    private List<String> topicNames() {
        return engine.stats().stream().map(TopicStats::name).toList();
    }

    private List<String> channelNames(QueryStringDecoder uri) {
        String topic = param(uri, "topic").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_TOPIC"));
        return engine.stats(topic)
                .map(t -> t.channels().stream().map(c -> c.name()).toList())
                .orElse(List.of());
    }

    /** This node as a lookupd producer entry. */
    private Map<String, Object> producer() {
        Map<String, Object> p = new java.util.LinkedHashMap<>();
        Object broadcast = info.getOrDefault("broadcast_address", "127.0.0.1");
        p.put("remote_address", broadcast + ":" + info.getOrDefault("tcp_port", 4150));
        p.put("hostname", info.getOrDefault("hostname", broadcast));
        p.put("broadcast_address", broadcast);
        p.put("tcp_port", info.getOrDefault("tcp_port", 4150));
        p.put("http_port", info.getOrDefault("http_port", 4151));
        p.put("version", options.version());
        return p;
    }

    private FullHttpResponse lookup(QueryStringDecoder uri) {
        String topic = param(uri, "topic").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_TOPIC"));
        TopicStats stats = engine.stats(topic).orElseThrow(() -> HttpError.notFound("TOPIC_NOT_FOUND"));
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("channels", stats.channels().stream().map(c -> c.name()).toList());
        out.put("producers", List.of(producer()));
        return json(out);
    }

    private FullHttpResponse nodes() {
        Map<String, Object> node = producer();
        List<String> topics = topicNames();
        node.put("tombstones", topics.stream().map(t -> false).toList());
        node.put("topics", topics);
        return json(Map.of("producers", List.of(node)));
    }

    // ---- responses ------------------------------------------------------------------------------

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return r;
    }

    private static FullHttpResponse json(Object value) {
        try {
            FullHttpResponse r = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(JSON.writeValueAsBytes(value)));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
            return r;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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

    private static FullHttpResponse error(HttpResponseStatus status, String message) {
        FullHttpResponse r = json(Map.of("message", message));
        r.setStatus(status);
        return r;
    }

    private static FullHttpResponse failure(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof HttpError h) {
            return error(h.status, h.getMessage());
        }
        if (cause instanceof PublishRejectedException p) {
            return error(HttpResponseStatus.SERVICE_UNAVAILABLE, p.getMessage());
        }
        return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR");
    }
}
