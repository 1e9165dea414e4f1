package dev.ferry.nsq.internal.httpapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The bodies nsqd's and nsqlookupd's HTTP APIs answer with, as NSQ's {@code RespondV1} writes them:
 * plain text, JSON with {@code application/json; charset=utf-8}, an empty 200, and errors as a
 * status with {@code {"message":"CODE"}}; and the one way a response is written to a connection.
 *
 * <p>Stateless; every method may be called from any thread. Each response returned is new and
 * belongs to the caller until written.
 */
public final class HttpResponses {
    /** The header NSQ adds to its API's answers. */
    public static final String NSQ_CONTENT_TYPE = "X-NSQ-Content-Type";
    /** Its only value in NSQ 1.x. */
    public static final String NSQ_CONTENT_TYPE_V1 = "nsq; version=1.0";

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private HttpResponses() {}

    /** {@code body} as {@code text/plain; charset=utf-8}. */
    public static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return r;
    }

    /**
     * 200 with {@code value} encoded as JSON.
     *
     * @throws IllegalStateException when Jackson cannot encode the value (a bug in the caller)
     */
    public static FullHttpResponse json(Object value) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value + ": " + e, e);
        }
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        return r;
    }

    /** 200 with an empty body and no content type, as nsqd's administration answers. */
    public static FullHttpResponse empty() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    }

    /** {@code status} with {@code {"message":code}}. */
    public static FullHttpResponse error(HttpResponseStatus status, String code) {
        FullHttpResponse r = json(Map.of("message", code));
        r.setStatus(status);
        return r;
    }

    /** {@code r} with NSQ's {@code X-NSQ-Content-Type} header set; returns {@code r}. */
    public static FullHttpResponse nsq(FullHttpResponse r) {
        r.headers().set(NSQ_CONTENT_TYPE, NSQ_CONTENT_TYPE_V1);
        return r;
    }

    /**
     * Writes {@code response} with its {@code Content-Length}; keeps the connection open when the
     * request asked to ({@code keepAlive}), else closes it once written. Call on the channel's event
     * loop; ownership of the response passes to Netty.
     */
    public static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
