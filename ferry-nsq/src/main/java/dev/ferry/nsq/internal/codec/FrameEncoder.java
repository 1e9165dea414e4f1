package dev.ferry.nsq.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;

/** Encodes {@link Frame}s as NSQ's TCP protocol V2 lays them out. Stateless and shareable. */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
    /** One instance serves every connection. */
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        switch (frame) {
            case Frame.Response r -> {
                out.writeInt(4 + r.data().length);
                out.writeInt(Frame.TYPE_RESPONSE);
                out.writeBytes(r.data());
            }
            case Frame.Error e -> {
                byte[] text = e.text().getBytes(StandardCharsets.UTF_8);
                out.writeInt(4 + text.length);
                out.writeInt(Frame.TYPE_ERROR);
                out.writeBytes(text);
            }
            case Frame.Message m -> {
                out.writeInt(4 + 8 + 2 + 16 + m.body().length);
                out.writeInt(Frame.TYPE_MESSAGE);
                out.writeLong(m.timestamp());
                out.writeShort(m.attempts());
                out.writeCharSequence(m.id(), StandardCharsets.US_ASCII);
                out.writeBytes(m.body());
            }
        }
    }
}
