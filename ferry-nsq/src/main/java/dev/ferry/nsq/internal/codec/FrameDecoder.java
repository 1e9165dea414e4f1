package dev.ferry.nsq.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the server side of NSQ's TCP protocol V2 into {@link Frame}s: {@code int32 size | int32
 * type | data}, with message frames split into timestamp, attempts, id and body.
 *
 * <p>Feature negotiation changes the byte stream in the middle of a read: nsqd sends the IDENTIFY
 * answer plain and everything after it through TLS, snappy or deflate, and those bytes may already
 * sit in this decoder's buffer. So a handler reading a frame may call {@link #upgradeAfterThisFrame}
 * with what to add to the pipeline: the decoder stops after the current frame, runs it, and passes
 * the bytes it holds through the new handlers (from the pipeline's head, or from just past the TLS
 * handler named {@code "tls"} when compression is added under TLS).
 *
 * <p>One decoder per connection, on the connection's event loop; not thread-safe. Frames larger
 * than the limit given to the constructor close the connection with a {@link
 * CorruptedFrameException}.
 */
public final class FrameDecoder extends ChannelInboundHandlerAdapter {
    private final int maxFrameSize;
    private ByteBuf buffer;
    private Upgrade upgrade;

    /** What to add to the pipeline after the current frame, and whether it is the TLS handler. */
    private record Upgrade(Runnable install, boolean tls) {}

    /** A decoder refusing frames over {@code maxFrameSize} bytes. */
    public FrameDecoder(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * Asks the decoder, from a handler reading one of its frames, to stop after this frame, run
     * {@code install} (which adds handlers in front of this decoder) and pass the bytes it holds
     * through them. {@code tls} tells whether the new handler is TLS (added at the head) or a
     * decompressor (added after TLS when present).
     */
    public void upgradeAfterThisFrame(Runnable install, boolean tls) {
        this.upgrade = new Upgrade(install, tls);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (buffer == null) {
            buffer = in;
        } else {
            ByteBuf merged = ctx.alloc().buffer(buffer.readableBytes() + in.readableBytes());
            merged.writeBytes(buffer).writeBytes(in);
            buffer.release();
            in.release();
            buffer = merged;
        }
        try {
            while (upgrade == null && buffer != null && buffer.readableBytes() >= 4) {
                int size = buffer.getInt(buffer.readerIndex());
                if (size < 4 || size > maxFrameSize) {
                    throw new CorruptedFrameException(
                            "frame size " + size + " outside 4.." + maxFrameSize + "; closing the connection");
                }
                if (buffer.readableBytes() < 4 + size) {
                    break;
                }
                buffer.skipBytes(4);
                Frame frame = decode(buffer, size);
                ctx.fireChannelRead(frame);
            }
        } finally {
            if (buffer != null && !buffer.isReadable()) {
                buffer.release();
                buffer = null;
            }
        }
        if (upgrade != null) {
            Upgrade u = upgrade;
            upgrade = null;
            ByteBuf rest = buffer;
            buffer = null;
            u.install().run();
            if (rest != null) {
                // the held bytes came from past the point where the new handler now sits
                ChannelHandlerContext tls = ctx.pipeline().context("tls");
                if (!u.tls() && tls != null) {
                    tls.fireChannelRead(rest);
                } else {
                    ctx.pipeline().fireChannelRead(rest);
                }
            }
        }
    }

    private static Frame decode(ByteBuf in, int size) {
        int type = in.readInt();
        int length = size - 4;
        switch (type) {
            case Frame.TYPE_RESPONSE -> {
                byte[] data = new byte[length];
                in.readBytes(data);
                return new Frame.Response(data);
            }
            case Frame.TYPE_ERROR -> {
                String text =
                        in.readCharSequence(length, StandardCharsets.UTF_8).toString();
                int space = text.indexOf(' ');
                return space < 0
                        ? new Frame.Error(text, "")
                        : new Frame.Error(text.substring(0, space), text.substring(space + 1));
            }
            case Frame.TYPE_MESSAGE -> {
                if (length < 26) {
                    throw new CorruptedFrameException("message frame of " + length + " bytes; at least 26 expected");
                }
                long timestamp = in.readLong();
                int attempts = in.readUnsignedShort();
                String id = in.readCharSequence(16, StandardCharsets.US_ASCII).toString();
                byte[] body = new byte[length - 26];
                in.readBytes(body);
                return new Frame.Message(timestamp, attempts, id, body);
            }
            default -> throw new CorruptedFrameException("unknown frame type " + type);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        handlerRemoved(ctx);
        ctx.fireChannelInactive();
    }
}
