package dev.ferry.nsq.internal.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.nsq.HttpRoute;
import dev.ferry.spi.QueueStateStore;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Ferry's own HTTP endpoints for busmq queue state ({@link QueueStateStore}), served beside nsqd's
 * API so that a {@code dev.ferry.busmq.BusQueue} on a connected bus works against a Ferry broker. nsqd has
 * none of these paths (it answers 404), which is how a client tells the two apart.
 *
 * <pre>
 * POST /queue/attach?queue=Q&amp;attachment=ID&amp;ttl_ms=N[&amp;lease_ms=N]  {"existed":bool}
 * POST /queue/detach?queue=Q&amp;attachment=ID                       {"detached":bool}
 * GET  /queue/state?queue=Q       {"exists":false} or {"exists":true,"ttl_ms":N,"attachments":N,"metadata":{...}}
 * POST /queue/metadata?queue=Q&amp;key=K[&amp;remove=true]  body: the value   {"exists":bool}
 * POST /queue/destroy?queue=Q                                      {"existed":bool}
 * </pre>
 *
 * <p>Every valid call answers 200 with a JSON object (a missing queue is {@code "exists":false},
 * never 404); a missing or invalid argument answers 400 with nsqd's {@code {"message":"..."}}
 * shape ({@code MISSING_ARG_QUEUE}, {@code INVALID_QUEUE}, {@code INVALID_TTL_MS}...). Like nsqd's
 * topic and channel administration, these paths are not guarded by auth.
 *
 * <p>Threading: the store may write a small file, so each call runs on a virtual thread, not on
 * the event loop. Thread-safe.
 */
public final class QueueStateRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Executor OFF_LOOP =
            r -> Thread.ofVirtual().name("ferry-queue-http").start(r);

    private QueueStateRoutes() {}

    /** The routes over {@code store}, for {@code NsqTcpServer.Builder.routes}. */
    public static List<HttpRoute> of(QueueStateStore store) {
        return List.of(
                route("POST", "/queue/attach", q -> {
                    Duration ttl = Duration.ofMillis(longParam(q, "ttl_ms", -1));
                    Duration lease = Duration.ofMillis(longParam(q, "lease_ms", 0));
                    if (ttl.toMillis() < 1) {
                        throw new BadRequest("INVALID_TTL_MS");
                    }
                    if (lease.isNegative()) {
                        throw new BadRequest("INVALID_LEASE_MS");
                    }
                    boolean existed = store.attach(queue(q), required(q, "attachment"), ttl, lease);
                    return JSON.createObjectNode().put("existed", existed);
                }),
                route(
                        "POST",
                        "/queue/detach",
                        q -> JSON.createObjectNode()
                                .put("detached", store.detach(queue(q), required(q, "attachment")))),
                route("GET", "/queue/state", q -> {
                    ObjectNode out = JSON.createObjectNode();
                    Optional<QueueStateStore.QueueState> state = store.state(queue(q));
                    out.put("exists", state.isPresent());
                    state.ifPresent(s -> {
                        out.put("ttl_ms", s.ttl().toMillis());
                        out.put("attachments", s.attachments());
                        ObjectNode metadata = out.putObject("metadata");
                        s.metadata().forEach(metadata::put);
                    });
                    return out;
                }),
                new Route("POST", "/queue/metadata", null) {
                    @Override
                    ObjectNode answer(QueryStringDecoder q, byte[] body) {
                        String queue = queue(q);
                        String key = required(q, "key");
                        boolean remove = Boolean.parseBoolean(param(q, "remove").orElse("false"));
                        try {
                            store.setMetadata(queue, key, remove ? null : new String(body, StandardCharsets.UTF_8));
                            return JSON.createObjectNode().put("exists", true);
                        } catch (NotFoundException e) {
                            return JSON.createObjectNode().put("exists", false);
                        }
                    }
                },
                route("POST", "/queue/destroy", q -> JSON.createObjectNode().put("existed", store.destroy(queue(q)))));
    }

    private static Route route(String method, String path, Function<QueryStringDecoder, ObjectNode> fn) {
        return new Route(method, path, fn);
    }

    private static Optional<String> param(QueryStringDecoder q, String name) {
        List<String> values = q.parameters().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getLast());
    }

    private static String required(QueryStringDecoder q, String name) {
        String value = param(q, name).orElse("");
        if (value.isEmpty()) {
            throw new BadRequest("MISSING_ARG_" + name.toUpperCase(java.util.Locale.ROOT));
        }
        return value;
    }

    private static String queue(QueryStringDecoder q) {
        String queue = required(q, "queue");
        if (!Names.isValid(queue)) {
            throw new BadRequest("INVALID_QUEUE");
        }
        return queue;
    }

    private static long longParam(QueryStringDecoder q, String name, long missing) {
        Optional<String> value = param(q, name);
        if (value.isEmpty()) {
            return missing;
        }
        try {
            return Long.parseLong(value.get());
        } catch (NumberFormatException e) {
            throw new BadRequest("INVALID_" + name.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** A 400 answer with nsqd's message shape. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** One endpoint: parses the query, runs the store call off the event loop, answers JSON. */
    private static class Route implements HttpRoute {
        private final String method;
        private final String path;
        private final Function<QueryStringDecoder, ObjectNode> fn;

        Route(String method, String path, Function<QueryStringDecoder, ObjectNode> fn) {
            this.method = method;
            this.path = path;
            this.fn = fn;
        }

        ObjectNode answer(QueryStringDecoder query, byte[] body) {
            return fn.apply(query);
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public Optional<String> authTopic() {
            return Optional.empty();
        }

        @Override
        public CompletableFuture<Response> handle(Request request) {
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            return CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return json(200, answer(query, request.body()));
                        } catch (BadRequest e) {
                            return json(400, JSON.createObjectNode().put("message", e.getMessage()));
                        }
                    },
                    OFF_LOOP);
        }

        private static Response json(int status, ObjectNode body) {
            return new Response(
                    status, "application/json; charset=utf-8", body.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
