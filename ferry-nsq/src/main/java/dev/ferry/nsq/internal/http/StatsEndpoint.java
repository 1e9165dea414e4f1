package dev.ferry.nsq.internal.http;

import dev.ferry.ChannelStats;
import dev.ferry.TopicStats;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.httpapi.HttpResponses;
import dev.ferry.nsq.internal.httpapi.HttpRouter;
import dev.ferry.nsq.internal.server.ClientRegistry;
import dev.ferry.spi.Engine;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * nsqd's {@code GET /stats[?format=json&topic=&channel=&include_clients=&include_mem=]}: the
 * engine's topic and channel statistics, filtered to one topic and channel when asked (as nsqd
 * filters, see {@link #filter}), with the
 * connected clients of {@link ClientRegistry}, as nsqd's text or JSON (see {@link StatsJson}). Not
 * guarded by auth, as nsqd.
 *
 * <p>Thread-safe; runs on the event loop and never waits there: the answer is made when the
 * engine's statistics arrive (the handler writes it on the connection's event loop).
 */
final class StatsEndpoint {
    private final Engine engine;
    private final ServerOptions options;
    private final ClientRegistry clients;
    private final long startTime;

    /** Statistics of {@code engine}; {@code startTime} is the broker's start, in Unix seconds. */
    StatsEndpoint(Engine engine, ServerOptions options, ClientRegistry clients, long startTime) {
        this.engine = engine;
        this.options = options;
        this.clients = clients;
        this.startTime = startTime;
    }

    void register(HttpRouter.Builder<Endpoint> routes) {
        routes.get(
                "/stats",
                x -> engine.stats().thenApply(topics -> stats(x, topics)).toCompletableFuture());
    }

    private FullHttpResponse stats(Exchange x, List<TopicStats> all) {
        Optional<String> topic = x.param("topic").filter(t -> !t.isEmpty());
        List<TopicStats> topics = filter(all, topic, x.param("channel").filter(c -> !c.isEmpty()));
        StatsJson view = new StatsJson(
                options.version(),
                startTime,
                options.clock().millis() / 1000,
                goBool(x.param("include_clients")) ? clients : null,
                topic.orElse(null),
                engine.capabilities().contains(Engine.Capability.DISK_STORAGE));
        boolean includeMem = goBool(x.param("include_mem"));
        if ("json".equals(x.param("format").orElse(""))) {
            return HttpResponses.json(view.json(topics, includeMem));
        }
        return HttpResponses.text(HttpResponseStatus.OK, view.text(topics, includeMem));
    }

    /**
     * The topics asked for, as nsqd filters them: an unknown {@code topic} gives null (no topics,
     * and no producers either); with {@code channel}, each topic keeps that channel alone and a
     * topic without it is left out. An empty parameter filters nothing.
     */
    static List<TopicStats> filter(List<TopicStats> all, Optional<String> topic, Optional<String> channel) {
        List<TopicStats> topics = all;
        if (topic.isPresent()) {
            topics = all.stream().filter(t -> t.name().equals(topic.get())).toList();
            if (topics.isEmpty()) {
                return null;
            }
        }
        if (channel.isEmpty()) {
            return topics;
        }
        List<TopicStats> out = new ArrayList<>();
        for (TopicStats t : topics) {
            List<ChannelStats> kept = t.channels().stream()
                    .filter(c -> c.name().equals(channel.get()))
                    .toList();
            if (!kept.isEmpty()) {
                out.add(new TopicStats(
                        t.name(),
                        t.depth(),
                        t.messageCount(),
                        t.messageBytes(),
                        t.storedBytes(),
                        t.dropCount(),
                        t.rejectCount(),
                        t.paused(),
                        t.ephemeral(),
                        kept,
                        t.recovery()));
            }
        }
        return out;
    }

    /** nsqd's reading of {@code include_*}: false only for {@code false} or {@code 0}. */
    private static boolean goBool(Optional<String> value) {
        return value.map(v -> !v.equals("false") && !v.equals("0")).orElse(true);
    }
}
