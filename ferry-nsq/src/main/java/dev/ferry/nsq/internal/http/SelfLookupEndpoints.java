package dev.ferry.nsq.internal.http;

import dev.ferry.TopicStats;
import dev.ferry.nsq.internal.httpapi.HttpError;
import dev.ferry.nsq.internal.httpapi.HttpResponses;
import dev.ferry.nsq.internal.httpapi.HttpRouter;
import dev.ferry.spi.Engine;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * nsqlookupd's queries answered by the broker for itself alone, so a client told that the broker's
 * HTTP address is its lookupd finds it: {@code GET /lookup?topic=T} (404 {@code TOPIC_NOT_FOUND}
 * when the engine has no such topic), {@code /topics}, {@code /channels?topic=T} and {@code /nodes},
 * with this node as the one producer, described from the {@code /info} map ({@code
 * broadcast_address}, {@code hostname}, {@code tcp_port}, {@code http_port}).
 *
 * <p>Stateless and thread-safe; runs on the event loop and never waits there: each answer is made
 * when the engine's statistics arrive.
 */
final class SelfLookupEndpoints {
    private final Engine engine;
    private final Map<String, Object> info;
    private final String version;

    SelfLookupEndpoints(Engine engine, Map<String, Object> info, String version) {
        this.engine = engine;
        this.info = info;
        this.version = version;
    }

    void register(HttpRouter.Builder<Endpoint> routes) {
        routes.get("/lookup", this::lookup);
        routes.get("/topics", x -> topicNames().thenApply(topics -> HttpResponses.json(Map.of("topics", topics))));
        routes.get(
                "/channels",
                x -> channelNames(x).thenApply(channels -> HttpResponses.json(Map.of("channels", channels))));
        routes.get("/nodes", x -> topicNames().thenApply(this::nodes));
    }

    private CompletableFuture<List<String>> topicNames() {
        return engine.stats()
                .thenApply(topics -> topics.stream().map(TopicStats::name).toList())
                .toCompletableFuture();
    }

    private CompletableFuture<List<String>> channelNames(Exchange x) {
        String topic = x.requiredTopic();
        return engine.stats(topic)
                .thenApply(stats -> stats.map(
                                t -> t.channels().stream().map(c -> c.name()).toList())
                        .orElse(List.of()))
                .toCompletableFuture();
    }

    private CompletableFuture<FullHttpResponse> lookup(Exchange x) {
        String topic = x.requiredTopic();
        return engine.stats(topic)
                .thenApply(found -> {
                    TopicStats stats = found.orElseThrow(() -> HttpError.notFound("TOPIC_NOT_FOUND"));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put(
                            "channels",
                            stats.channels().stream().map(c -> c.name()).toList());
                    out.put("producers", List.of(producer()));
                    return HttpResponses.json(out);
                })
                .toCompletableFuture();
    }

    private FullHttpResponse nodes(List<String> topics) {
        Map<String, Object> node = producer();
        node.put("tombstones", topics.stream().map(t -> false).toList());
        node.put("topics", topics);
        return HttpResponses.json(Map.of("producers", List.of(node)));
    }

    /** This node as a lookupd producer entry. */
    private Map<String, Object> producer() {
        Map<String, Object> p = new LinkedHashMap<>();
        Object broadcast = info.getOrDefault("broadcast_address", "127.0.0.1");
        p.put("remote_address", broadcast + ":" + info.getOrDefault("tcp_port", 4150));
        p.put("hostname", info.getOrDefault("hostname", broadcast));
        p.put("broadcast_address", broadcast);
        p.put("tcp_port", info.getOrDefault("tcp_port", 4150));
        p.put("http_port", info.getOrDefault("http_port", 4151));
        p.put("version", version);
        return p;
    }
}
