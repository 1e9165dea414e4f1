package dev.ferry.nsq.internal.federation;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CoalescingBufferQueue;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte stream of NSQ's protocol V2 inside WebSocket binary frames. Reading, a binary or
 * continuation frame's payload goes on as bytes (V2 is a stream, so where frames cut it does not
 * matter); a text frame once the protocol runs is a peer's error, and the link is closed. Writing,
 * the buffers written between two flushes are held and leave at the flush as binary frames of at most
 * {@link #FRAME_BYTES} each: a flush of 300 messages is a handful of frames, not 300, so neither side
 * pays a frame header, a masking pass, a frame object and a trip through the WebSocket handlers for
 * each message or each FIN. A buffer larger than a frame is cut across frames.
 *
 * <p>Each write's promise completes when the frame carrying its last byte is written. What is held
 * when the channel closes, or this handler is removed, is released and its promises fail. Ownership
 * of a read payload passes on with it; of a written buffer, to this handler.
 *
 * <p>Threading: one instance per channel (it holds what was written since the last flush), called on
 * the channel's event loop.
 */
public final class WebSocketBytes extends ChannelDuplexHandler {
    /**
     * The largest payload of a frame this handler writes; the federation's WebSocket decoders accept
     * at least this much ({@link #maxFramePayload}).
     */
    public static final int FRAME_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(WebSocketBytes.class);

    private CoalescingBufferQueue held;

    /** A handler for one channel. */
    public WebSocketBytes() {}

    /**
     * The largest frame payload a federation WebSocket decoder should accept: {@code wanted}, or
     * {@link #FRAME_BYTES} when that is larger, so a peer's coalesced frames always pass.
     */
    public static int maxFramePayload(int wanted) {
        return Math.max(wanted, FRAME_BYTES);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        held = new CoalescingBufferQueue(ctx.channel(), 16, true);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        held.releaseAndFailAll(new ClosedChannelException());
    }

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
            sendHeld(ctx);
            ctx.writeAndFlush(new CloseWebSocketFrame(1003, "binary frames only"));
            ctx.close();
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            held.add(buf, promise);
        } else {
            sendHeld(ctx); // whatever else is written keeps its place behind the bytes before it
            ctx.write(msg, promise);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        sendHeld(ctx);
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        held.releaseAndFailAll(new ClosedChannelException());
        ctx.close(promise);
    }

    /** Writes what is held as binary frames of at most {@link #FRAME_BYTES}, without flushing. */
    private void sendHeld(ChannelHandlerContext ctx) {
        while (!held.isEmpty()) {
            ChannelPromise sent = ctx.newPromise();
            ByteBuf payload = held.remove(FRAME_BYTES, sent);
            ctx.write(new BinaryWebSocketFrame(payload), sent);
        }
    }
}
