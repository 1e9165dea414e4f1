package dev.ferry.nsq.internal.http;

import dev.ferry.Names;
import dev.ferry.nsq.internal.httpapi.HttpError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * One request to the broker's HTTP API as an endpoint sees it: the request (retained until the
 * endpoint's future completes), its decoded URI and the connection it came on.
 *
 * @param request the request
 * @param uri its path and query, decoded
 * @param ctx the connection's context, for its address and TLS state
 */
record Exchange(FullHttpRequest request, QueryStringDecoder uri, ChannelHandlerContext ctx) {
    /**
     * The first value of query parameter {@code name}, as nsqd reads one.
     *
     * @throws IllegalArgumentException when the query is not valid URL encoding
     */
    Optional<String> param(String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The {@code topic} parameter, which must be present ({@code MISSING_ARG_TOPIC}). */
    String requiredTopic() {
        return param("topic").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_TOPIC"));
    }

    /** The {@code topic} parameter, present and a valid name ({@code INVALID_TOPIC}). */
    String validTopic() {
        String topic = requiredTopic();
        if (!Names.isValid(topic)) {
            throw HttpError.badRequest("INVALID_TOPIC");
        }
        return topic;
    }

    /** The client's IP address, or empty when the channel has none (an embedded channel). */
    String remoteIp() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "";
    }
}
