package dev.ferry.nsq.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes {@link ClientCommand}s as NSQ's TCP protocol V2 lays them out: a line {@code NAME[
 * param]*\n}, then for commands with a body an int32 big-endian size and the body (MPUB's body being
 * {@code int32 count} and {@code int32 size | bytes} per message). The magic is written by the
 * connection before the first command. Stateless and shareable.
 */
@ChannelHandler.Sharable
public final class CommandEncoder extends MessageToByteEncoder<ClientCommand> {
    /** One instance serves every connection. */
    public static final CommandEncoder INSTANCE = new CommandEncoder();

    private CommandEncoder() {
        super(ClientCommand.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, ClientCommand command, boolean preferDirect) {
        int size = switch (command) {
            case ClientCommand.Pub p -> 16 + p.topic().length() + p.body().length;
            case ClientCommand.Dpub d -> 40 + d.topic().length() + d.body().length;
            case ClientCommand.Mpub m -> 20 + m.topic().length() + mpubBodySize(m);
            case ClientCommand.Identify i -> 16 + i.json().length;
            default -> 64;
        };
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ClientCommand command, ByteBuf out) {
        switch (command) {
            case ClientCommand.Identify i -> withBody(out, "IDENTIFY\n", i.json());
            case ClientCommand.Auth a -> withBody(out, "AUTH\n", a.secret());
            case ClientCommand.Sub s -> line(out, "SUB " + s.topic() + " " + s.channel() + "\n");
            case ClientCommand.Rdy r -> line(out, "RDY " + r.count() + "\n");
            case ClientCommand.Fin f -> {
                out.writeBytes(FIN);
                out.writeCharSequence(f.id(), StandardCharsets.US_ASCII);
                out.writeByte('\n');
            }
            case ClientCommand.Req r -> line(out, "REQ " + r.id() + " " + r.delayMillis() + "\n");
            case ClientCommand.Touch t -> line(out, "TOUCH " + t.id() + "\n");
            case ClientCommand.Pub p -> {
                line(out, "PUB " + p.topic() + "\n");
                out.writeInt(p.body().length);
                out.writeBytes(p.body());
            }
            case ClientCommand.Dpub d -> withBody(out, "DPUB " + d.topic() + " " + d.deferMillis() + "\n", d.body());
            case ClientCommand.Mpub m -> {
                line(out, "MPUB " + m.topic() + "\n");
                out.writeInt(mpubBodySize(m));
                out.writeInt(m.bodies().size());
                for (byte[] body : m.bodies()) {
                    out.writeInt(body.length);
                    out.writeBytes(body);
                }
            }
            case ClientCommand.Nop n -> out.writeBytes(NOP);
            case ClientCommand.Cls c -> out.writeBytes(CLS);
        }
    }

    private static final byte[] FIN = "FIN ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOP = "NOP\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLS = "CLS\n".getBytes(StandardCharsets.US_ASCII);

    /** The size of an MPUB body: the count, then a size and the bytes per message. */
    public static int mpubBodySize(ClientCommand.Mpub m) {
        int size = 4;
        for (byte[] body : m.bodies()) {
            size += 4 + body.length;
        }
        return size;
    }

    private static void line(ByteBuf out, String line) {
        out.writeCharSequence(line, StandardCharsets.UTF_8);
    }

    private static void withBody(ByteBuf out, String line, byte[] body) {
        line(out, line);
        out.writeInt(body.length);
        out.writeBytes(body);
    }
}
