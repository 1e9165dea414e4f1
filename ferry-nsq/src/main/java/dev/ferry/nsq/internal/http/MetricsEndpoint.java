package dev.ferry.nsq.internal.http;

import dev.ferry.nsq.internal.httpapi.HttpRouter;
import dev.ferry.nsq.internal.metrics.BrokerMetrics;
import dev.ferry.nsq.internal.metrics.SharedMetrics;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: the broker's {@link BrokerMetrics} in Prometheus' text format, made at the
 * first request ({@link SharedMetrics}). Not guarded by auth, like {@code /stats}, which shows the
 * same numbers.
 *
 * <p>Thread-safe; runs on the event loop and never waits there: the answer is made when the
 * engine's statistics arrive.
 */
final class MetricsEndpoint {
    private final SharedMetrics metrics;

    MetricsEndpoint(SharedMetrics metrics) {
        this.metrics = metrics;
    }

    void register(HttpRouter.Builder<Endpoint> routes) {
        routes.get(
                "/metrics",
                x -> metrics.get()
                        .thenCompose(BrokerMetrics::scrape)
                        .thenApply(MetricsEndpoint::answer)
                        .toCompletableFuture());
    }

    private static FullHttpResponse answer(String text) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, BrokerMetrics.contentType());
        return r;
    }
}
