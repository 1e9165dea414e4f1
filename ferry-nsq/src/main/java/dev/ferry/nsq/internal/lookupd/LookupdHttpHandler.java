package dev.ferry.nsq.internal.lookupd;

import dev.ferry.Names;
import dev.ferry.nsq.internal.httpapi.HttpError;
import dev.ferry.nsq.internal.httpapi.HttpResponses;
import dev.ferry.nsq.internal.httpapi.HttpRouter;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
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
 * {@code {"message":"CODE"}}. Unknown paths, other methods and {@code OPTIONS} are answered by the
 * {@link HttpRouter} nsqd's API shares: 404, 405 with {@code Allow}, 200 with {@code Allow}.
 *
 * <p>Stateless and shareable; runs on the connections' event loops and never blocks.
 */
@ChannelHandler.Sharable
public final class LookupdHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(LookupdHttpHandler.class);

    /** One endpoint: answers from the request's query parameters, on the event loop. */
    @FunctionalInterface
    private interface Endpoint {
        FullHttpResponse answer(Map<String, List<String>> params);
    }

    private final LookupdState state;
    private final HttpRouter<Endpoint> router;

    /** Serves the API of the lookupd whose shared state is {@code state}. */
    public LookupdHttpHandler(LookupdState state) {
        this.state = state;
        this.router = HttpRouter.<Endpoint>builder()
                .get("/ping", params -> ping())
                .get("/info", params -> json(Map.of("version", state.options.version())))
                .get(
                        "/topics",
                        params ->
                                json(Map.of("topics", RegistrationDb.keys(state.db.find(Registration.TOPIC, "*", "")))))
                .get("/channels", params -> json(Map.of("channels", channels(topic(params)))))
                .get("/lookup", params -> lookup(topic(params)))
                .get("/nodes", params -> nodes())
                .post("/topic/create", this::createTopic)
                .post("/topic/delete", params -> deleteTopic(topic(params)))
                .post("/topic/tombstone", this::tombstone)
                .post("/channel/create", this::createChannel)
                .post("/channel/delete", this::deleteChannel)
                .build();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response;
        try {
            response = route(request);
        } catch (HttpError e) {
            response = error(e.status(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("lookupd HTTP {} {} failed", request.method(), request.uri(), e);
            response = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR");
        }
        HttpResponses.write(ctx, response, HttpUtil.isKeepAlive(request));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.info("lookupd HTTP client {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private FullHttpResponse route(FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path;
        Map<String, List<String>> params;
        try {
            path = uri.path();
            params = uri.parameters();
        } catch (IllegalArgumentException e) {
            // a path or query that is not valid URL encoding
            throw HttpError.badRequest("INVALID_REQUEST");
        }
        HttpRouter.Decision<Endpoint> decision = router.route(request.method(), path);
        if (decision instanceof HttpRouter.Answer<Endpoint> answer) {
            return answer.response();
        }
        return ((HttpRouter.Handle<Endpoint>) decision).handler().answer(params);
    }

    private static String param(Map<String, List<String>> params, String name, String missing) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            throw HttpError.badRequest(missing);
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
            throw HttpError.badRequest("INVALID_ARG_TOPIC");
        }
        String channel = param(params, "channel", "MISSING_ARG_CHANNEL");
        if (!Names.isValid(channel)) {
            throw HttpError.badRequest("INVALID_ARG_CHANNEL");
        }
        return new String[] {topic, channel};
    }

    private List<String> channels(String topic) {
        return RegistrationDb.subKeys(state.db.find(Registration.CHANNEL, topic, "*"));
    }

    private FullHttpResponse lookup(String topic) {
        if (state.db.find(Registration.TOPIC, topic, "").isEmpty()) {
            throw HttpError.notFound("TOPIC_NOT_FOUND");
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
            throw HttpError.badRequest("INVALID_ARG_TOPIC");
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
            throw HttpError.notFound("CHANNEL_NOT_FOUND");
        }
        log.info("lookupd: removing channel {} of topic {}", tc[1], tc[0]);
        found.forEach(state.db::removeRegistration);
        return empty();
    }

    // ---- responses ------------------------------------------------------------------------------

    /** {@code /ping}'s plain {@code OK}: nsqlookupd answers it without its content-type header. */
    private static FullHttpResponse ping() {
        return HttpResponses.text(HttpResponseStatus.OK, "OK");
    }

    private static FullHttpResponse empty() {
        return HttpResponses.nsq(HttpResponses.empty());
    }

    private static FullHttpResponse json(Object value) {
        return HttpResponses.nsq(HttpResponses.json(value));
    }

    private static FullHttpResponse error(HttpResponseStatus status, String code) {
        return HttpResponses.nsq(HttpResponses.error(status, code));
    }
}
