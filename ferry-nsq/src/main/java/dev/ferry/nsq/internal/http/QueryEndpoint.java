package dev.ferry.nsq.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Bus;
import dev.ferry.BusConfig;
import dev.ferry.FerryException;
import dev.ferry.Names;
import dev.ferry.Query;
import dev.ferry.QueryTimeoutException;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.httpapi.HttpError;
import dev.ferry.spi.Engine;
import dev.ferry.support.EngineBuses;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /query?topic=T&timeout=MS}: request/reply for HTTP callers (a SIP proxy's HTTP client,
 * curl). The body, a JSON object, is published to {@code T} as a request ({@link Query}); the
 * answer is the reply's JSON with 200, or 504 with {@code
 * {"message":"QUERY_TIMEOUT","topic":..,"msg_id":..,"timeout_ms":..}} when no reply came within
 * {@code timeout} (default 2000 ms, at most the broker's max message timeout).
 *
 * <p>Other errors in nsqd's style: 400 {@code MISSING_ARG_TOPIC}, {@code INVALID_TOPIC}, {@code
 * INVALID_TIMEOUT}, {@code MSG_EMPTY}, {@code INVALID_BODY} (not a JSON object); 413 {@code
 * MSG_TOO_BIG}; 503 with the reason when the request cannot be published or too many queries wait.
 *
 * <p>The queries go through one {@link Bus} over the broker's engine, opened on the first request
 * and closed with the HTTP server; its reply topic is an ephemeral topic of the broker like any
 * other. Thread-safe; nothing here blocks an event loop.
 */
final class QueryEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final ServerOptions options;
    private Bus bus;
    private boolean closed;

    QueryEndpoint(Engine engine, ServerOptions options) {
        this.engine = engine;
        this.options = options;
    }

    private synchronized Bus bus() {
        if (closed) {
            throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, "EXITING");
        }
        if (bus == null) {
            bus = EngineBuses.sharing(
                    BusConfig.builder()
                            .clock(options.clock())
                            .maxMessageSize(options.maxMsgSize())
                            .maxBatchSize(Math.max(options.maxMsgSize(), options.maxBodySize()))
                            .handlerThreads(2)
                            .build(),
                    engine);
        }
        return bus;
    }

    CompletableFuture<FullHttpResponse> handle(FullHttpRequest request, QueryStringDecoder uri) {
        String topic = param(uri, "topic");
        if (topic == null) {
            throw HttpError.badRequest("MISSING_ARG_TOPIC");
        }
        if (!Names.isValid(topic)) {
            throw HttpError.badRequest("INVALID_TOPIC");
        }
        Duration timeout = Query.DEFAULT_TIMEOUT;
        String timeoutParam = param(uri, "timeout");
        if (timeoutParam != null) {
            long ms;
            try {
                ms = Long.parseLong(timeoutParam);
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("INVALID_TIMEOUT");
            }
            if (ms < 1 || ms > options.maxMsgTimeout().toMillis()) {
                throw HttpError.badRequest("INVALID_TIMEOUT");
            }
            timeout = Duration.ofMillis(ms);
        }
        int size = request.content().readableBytes();
        if (size == 0) {
            throw HttpError.badRequest("MSG_EMPTY");
        }
        if (size > options.maxMsgSize()) {
            throw HttpError.tooBig("MSG_TOO_BIG");
        }
        String body = new String(ByteBufUtil.getBytes(request.content()), StandardCharsets.UTF_8);
        return bus().queryAsync(topic, body, timeout).handle((reply, e) -> {
            if (e == null) {
                return json(HttpResponseStatus.OK, reply.getBytes(StandardCharsets.UTF_8));
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof QueryTimeoutException t) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("message", "QUERY_TIMEOUT");
                out.put("topic", t.topic());
                out.put("msg_id", t.msgId());
                out.put("timeout_ms", t.timeout().toMillis());
                return json(HttpResponseStatus.GATEWAY_TIMEOUT, out);
            }
            if (cause instanceof IllegalArgumentException) {
                throw HttpError.badRequest("INVALID_BODY");
            }
            if (cause instanceof FerryException) {
                throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, cause.getMessage());
            }
            throw new CompletionException(cause);
        });
    }

    private static String param(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object value) {
        try {
            return json(status, JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        return r;
    }

    /** Closes the bus, failing the queries still waiting; later requests get 503. */
    @Override
    public void close() {
        Bus open;
        synchronized (this) {
            closed = true;
            open = bus;
            bus = null;
        }
        if (open != null) {
            open.close();
        }
    }
}
