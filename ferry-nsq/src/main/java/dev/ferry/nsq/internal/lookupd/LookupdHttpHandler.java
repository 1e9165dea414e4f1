package dev.ferry.nsq.internal.lookupd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Names;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nsqlookupd's HTTP API over a {@link LookupdState}: {@code GET /ping}, {@code /info}, {@code
 * /topics}, {@code /channels}, {@code /lookup}, {@code /nodes}, and {@code POST /topic/create},
 * {@code /topic/delete}, {@code /topic/tombstone}, {@code /channel/create}, {@code /channel/delete},
 * with nsqlookupd's answers: JSON bodies, an empty body for the POSTs, and errors as a status with
 * {@code {"message":"CODE"}}. A path served for another method answers 405 with {@code Allow}, and
 * {@code OPTIONS} answers 200 with it, as nsqlookupd's router does.
 *
 * <p>Stateless and shareable; runs on the connections' event loops and never blocks.
 */
@ChannelHandler.Sharable
public final class LookupdHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(LookupdHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, HttpMethod> ROUTES = Map.ofEntries(
            Map.entry("/ping", HttpMethod.GET),
            Map.entry("/info", HttpMethod.GET),
            Map.entry("/topics", HttpMethod.GET),
            Map.entry("/channels", HttpMethod.GET),
            Map.entry("/lookup", HttpMethod.GET),
            Map.entry("/nodes", HttpMethod.GET),
            Map.entry("/topic/create", HttpMethod.POST),
            Map.entry("/topic/delete", HttpMethod.POST),
            Map.entry("/topic/tombstone", HttpMethod.POST),
            Map.entry("/channel/create", HttpMethod.POST),
            Map.entry("/channel/delete", HttpMethod.POST));

    private final LookupdState state;

    /** Serves the API of the lookupd whose shared state is {@code state}. */
    public LookupdHttpHandler(LookupdState state) {
        this.state = state;
    }

    /** An error answered as a status and {@code {"message":"CODE"}}. */
    private static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient HttpResponseStatus status;

        ApiError(HttpResponseStatus status, String code) {
            super(code, null, false, false);
            this.status = status;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response;
        try {
            response = route(request);
        } catch (ApiError e) {
            response = error(e.status, e.getMessage());
        } catch (RuntimeException e) {
            log.error("lookupd HTTP {} {} failed", request.method(), request.uri(), e);
            response = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.info("lookupd HTTP client {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private FullHttpResponse route(FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        HttpMethod allowed = ROUTES.get(path);
        if (allowed == null) {
            throw new ApiError(HttpResponseStatus.NOT_FOUND, "NOT_FOUND");
        }
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.OPTIONS)) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers().set(HttpHeaderNames.ALLOW, allowed.name() + ", OPTIONS");
            return r;
        }
        if (!method.equals(allowed)) {
            FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
            r.headers().set(HttpHeaderNames.ALLOW, allowed.name() + ", OPTIONS");
            return r;
        }
        Map<String, List<String>> params;
        try {
            params = uri.parameters();
        } catch (IllegalArgumentException e) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST");
        }
        return switch (path) {
            case "/ping" -> ping();
            case "/info" -> json(Map.of("version", state.options.version()));
            case "/topics" -> json(Map.of("topics", RegistrationDb.keys(state.db.find(Registration.TOPIC, "*", ""))));
            case "/channels" -> json(Map.of("channels", channels(topic(params))));
            case "/lookup" -> lookup(topic(params));
            case "/nodes" -> nodes();
            case "/topic/create" -> createTopic(params);
            case "/topic/delete" -> deleteTopic(topic(params));
            case "/topic/tombstone" -> tombstone(params);
            case "/channel/create" -> createChannel(params);
            case "/channel/delete" -> deleteChannel(params);
            default -> throw new ApiError(HttpResponseStatus.NOT_FOUND, "NOT_FOUND");
        };
    }

    private static String param(Map<String, List<String>> params, String name, String missing) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, missing);
        }
        return values.get(0);
    }

    private static String topic(Map<String, List<String>> params) {
        return param(params, "topic", "MISSING_ARG_TOPIC");
    }

    /** The topic and channel of a channel request, checked as nsqlookupd checks them. */
    private static String[] topicChannel(Map<String, List<String>> params) {
        String topic = topic(params);
        if (!Names.isValid(topic)) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, "INVALID_ARG_TOPIC");
        }
        String channel = param(params, "channel", "MISSING_ARG_CHANNEL");
        if (!Names.isValid(channel)) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, "INVALID_ARG_CHANNEL");
        }
        return new String[] {topic, channel};
    }

    private List<String> channels(String topic) {
        return RegistrationDb.subKeys(state.db.find(Registration.CHANNEL, topic, "*"));
    }

    private FullHttpResponse lookup(String topic) {
        if (state.db.find(Registration.TOPIC, topic, "").isEmpty()) {
            throw new ApiError(HttpResponseStatus.NOT_FOUND, "TOPIC_NOT_FOUND");
        }
        long now = state.now();
        List<Map<String, Object>> producers = new ArrayList<>();
        for (Producer p : state.db.producers(Registration.TOPIC, topic, "")) {
            if (state.active(p, now)) {
                producers.add(peerJson(p.peer));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("channels", channels(topic));
        out.put("producers", producers);
        return json(out);
    }

    private FullHttpResponse nodes() {
        long now = state.now();
        long timeout = state.options.inactiveProducerTimeout().toMillis();
        long lifetime = state.options.tombstoneLifetime().toMillis();
        Map<String, List<Producer>> topicProducers = new HashMap<>();
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (Producer node : state.db.producers(Registration.CLIENT, "", "")) {
            // tombstoned nodes are listed, with the tombstones of their topics
            if (now - node.peer.lastUpdate() > timeout) {
                continue;
            }
            List<String> topics = state.db.registrationsOf(node.peer.id).stream()
                    .filter(r -> r.category().equals(Registration.TOPIC))
                    .map(Registration::key)
                    .toList();
            List<Boolean> tombstones = new ArrayList<>(topics.size());
            for (String topic : topics) {
                boolean tombstoned =
                        topicProducers
                                .computeIfAbsent(topic, t -> state.db.producers(Registration.TOPIC, t, ""))
                                .stream()
                                .anyMatch(p -> p.peer == node.peer && p.tombstoned(now, lifetime));
                tombstones.add(tombstoned);
            }
            Map<String, Object> out = peerJson(node.peer);
            out.put("tombstones", tombstones);
            out.put("topics", topics);
            nodes.add(out);
        }
        return json(Map.of("producers", nodes));
    }

    private static Map<String, Object> peerJson(PeerInfo peer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("remote_address", peer.remoteAddress);
        out.put("hostname", peer.hostname);
        out.put("broadcast_address", peer.broadcastAddress);
        out.put("tcp_port", peer.tcpPort);
        out.put("http_port", peer.httpPort);
        out.put("version", peer.version);
        return out;
    }

    private FullHttpResponse createTopic(Map<String, List<String>> params) {
        String topic = topic(params);
        if (!Names.isValid(topic)) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, "INVALID_ARG_TOPIC");
        }
        log.info("lookupd: adding topic {}", topic);
        state.db.addRegistration(Registration.topic(topic));
        return empty();
    }

    private FullHttpResponse deleteTopic(String topic) {
        log.info("lookupd: removing topic {} and its channels", topic);
        state.db.find(Registration.CHANNEL, topic, "*").forEach(state.db::removeRegistration);
        state.db.find(Registration.TOPIC, topic, "").forEach(state.db::removeRegistration);
        return empty();
    }

    private FullHttpResponse tombstone(Map<String, List<String>> params) {
        String topic = topic(params);
        String node = param(params, "node", "MISSING_ARG_NODE");
        log.info("lookupd: tombstoning topic {} of node {}", topic, node);
        long now = state.now();
        for (Producer p : state.db.producers(Registration.TOPIC, topic, "")) {
            if (p.peer.httpAddress().equals(node)) {
                p.tombstone(now);
            }
        }
        return empty();
    }

    private FullHttpResponse createChannel(Map<String, List<String>> params) {
        String[] tc = topicChannel(params);
        log.info("lookupd: adding channel {} of topic {}", tc[1], tc[0]);
        state.db.addRegistration(Registration.channel(tc[0], tc[1]));
        state.db.addRegistration(Registration.topic(tc[0]));
        return empty();
    }

    private FullHttpResponse deleteChannel(Map<String, List<String>> params) {
        String[] tc = topicChannel(params);
        List<Registration> found = state.db.find(Registration.CHANNEL, tc[0], tc[1]);
        if (found.isEmpty()) {
            throw new ApiError(HttpResponseStatus.NOT_FOUND, "CHANNEL_NOT_FOUND");
        }
        log.info("lookupd: removing channel {} of topic {}", tc[1], tc[0]);
        found.forEach(state.db::removeRegistration);
        return empty();
    }

    // ---- responses ------------------------------------------------------------------------------

    /** {@code /ping}'s plain {@code OK}: nsqlookupd answers it without its content-type header. */
    private static FullHttpResponse ping() {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer("OK", StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return r;
    }

    private static FullHttpResponse empty() {
        return nsq(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    }

    private static FullHttpResponse json(Object value) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value + ": " + e, e);
        }
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        return nsq(r);
    }

    private static FullHttpResponse error(HttpResponseStatus status, String code) {
        FullHttpResponse r = json(Map.of("message", code));
        r.setStatus(status);
        return r;
    }

    private static FullHttpResponse nsq(FullHttpResponse r) {
        r.headers().set("X-NSQ-Content-Type", "nsq; version=1.0");
        return r;
    }
}
