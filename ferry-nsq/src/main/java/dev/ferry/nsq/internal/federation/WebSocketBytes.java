package dev.ferry.nsq.internal.federation;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte stream of NSQ's protocol V2 inside WebSocket binary frames: a binary or continuation
 * frame's payload goes on as bytes (V2 is a stream, so where frames cut it does not matter), and every
 * buffer written goes out as one binary frame. A text frame once the protocol runs is a peer's error:
 * the link is closed. Stateless and sharable; ownership of a payload passes with it.
 */
@ChannelHandler.Sharable
public final class WebSocketBytes extends ChannelDuplexHandler {
    /** The one instance. */
    public static final WebSocketBytes INSTANCE = new WebSocketBytes();

    private static final Logger log = LoggerFactory.getLogger(WebSocketBytes.class);

    private WebSocketBytes() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            ctx.fireChannelRead(((WebSocketFrame) msg).content());
        } else if (msg instanceof WebSocketFrame frame) {
            log.info(
                    "federated link {}: a {} frame where NSQ bytes were expected; closing",
                    ctx.channel(),
                    frame.getClass().getSimpleName());
            ReferenceCountUtil.release(msg);
            ctx.writeAndFlush(new CloseWebSocketFrame(1003, "binary frames only"));
            ctx.close();
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            ctx.write(new BinaryWebSocketFrame(buf), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
