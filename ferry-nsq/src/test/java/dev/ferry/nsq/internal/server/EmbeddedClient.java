package dev.ferry.nsq.internal.server;

import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.spi.Engine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A client of {@link V2Connection} through Netty's {@link EmbeddedChannel}: no sockets. */
final class EmbeddedClient implements AutoCloseable {
    /** A frame as the client sees it; {@code text} is the body of a message frame. */
    record Got(int type, String text, long timestamp, int attempts, String id) {}

    final EmbeddedChannel channel;

    EmbeddedClient(Engine engine, ServerOptions options, AuthClient auth) {
        channel =
                new EmbeddedChannel(new V2ChannelInitializer(engine, options, null, false, auth, new ClientRegistry()));
        channel.writeInbound(Unpooled.copiedBuffer("  V2", StandardCharsets.US_ASCII));
    }

    /** A command line (with its newline) followed, when {@code body} is not null, by a sized body. */
    static byte[] command(String line, byte[] body) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeCharSequence(line, StandardCharsets.UTF_8);
        if (body != null) {
            buf.writeInt(body.length);
            buf.writeBytes(body);
        }
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    /** A command line followed by a body size alone (no body bytes). */
    static byte[] sized(String line, int size) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeCharSequence(line, StandardCharsets.UTF_8);
        buf.writeInt(size);
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void send(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        channel.runPendingTasks();
    }

    void send(String line) {
        send(utf8(line));
    }

    /** The frames written to the client since the last call. */
    List<Got> frames() {
        channel.runPendingTasks();
        return readFrames(channel);
    }

    /** The frames {@code channel} has written since they were last read. */
    static List<Got> readFrames(EmbeddedChannel channel) {
        List<Got> out = new ArrayList<>();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            while (buf.isReadable()) {
                int size = buf.readInt();
                int type = buf.readInt();
                if (type == Frame.TYPE_MESSAGE) {
                    long ts = buf.readLong();
                    int attempts = buf.readUnsignedShort();
                    String id =
                            buf.readCharSequence(16, StandardCharsets.US_ASCII).toString();
                    String body = buf.readCharSequence(size - 30, StandardCharsets.UTF_8)
                            .toString();
                    out.add(new Got(type, body, ts, attempts, id));
                } else {
                    String text = buf.readCharSequence(size - 4, StandardCharsets.UTF_8)
                            .toString();
                    out.add(new Got(type, text, 0, 0, null));
                }
            }
            buf.release();
        }
        return out;
    }

    /** The texts of {@link #frames()}. */
    List<String> texts() {
        return frames().stream().map(Got::text).toList();
    }

    boolean isOpen() {
        channel.runPendingTasks();
        return channel.isOpen();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
