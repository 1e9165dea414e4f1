package dev.ferry.nsq.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Decodes the client side of NSQ's TCP protocol V2 into {@link Inbound} values: the 4-byte magic
 * {@code "  V2"}, then command lines ({@code NAME[ param]*\n}, a trailing {@code \r} dropped),
 * each of {@code IDENTIFY}, {@code AUTH}, {@code PUB}, {@code MPUB} and {@code DPUB} followed by an
 * int32 big-endian size and that many body bytes.
 *
 * <p>A body is read only when its size is in range (PUB and DPUB: 1 to the maximum message size;
 * the others: 1 to the maximum body size), so a client cannot make the server buffer more than
 * that; otherwise the command comes out with no body and the decoder ignores everything after it,
 * since the connection is about to be closed.
 *
 * <p>An {@code IDENTIFY} may change how the following bytes are encoded (TLS, snappy, deflate), so
 * the decoder hands it on before it decodes anything after it; the handler then calls {@link
 * #discardBuffered()} when it upgrades the connection. One decoder per connection; not thread-safe
 * (runs on the connection's event loop).
 */
public final class CommandDecoder extends ByteToMessageDecoder {
    /** The magic of protocol V2. */
    public static final String MAGIC = "  V2";

    /** The longest command line accepted, as nsqd's read buffer. */
    public static final int MAX_LINE = 16 * 1024;

    private static final Set<String> WITH_BODY = Set.of("IDENTIFY", "AUTH", "PUB", "MPUB", "DPUB");

    private enum State {
        MAGIC,
        LINE,
        BODY,
        DISCARD
    }

    private final int maxMessageSize;
    private final int maxBodySize;
    private State state = State.MAGIC;
    private String pendingName;
    private List<String> pendingParams;
    private int pendingSize;

    /** A decoder with nsqd's limits for message and body sizes. */
    public CommandDecoder(int maxMessageSize, int maxBodySize) {
        this.maxMessageSize = maxMessageSize;
        this.maxBodySize = maxBodySize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable() && state != State.DISCARD) {
            int before = in.readerIndex();
            switch (state) {
                case MAGIC -> readMagic(in, out);
                case LINE -> readLine(in, out);
                case BODY -> readBody(in, out);
                default -> {}
            }
            if (in.readerIndex() == before) {
                return; // waiting for more bytes
            }
            if (!out.isEmpty()
                    && out.getLast() instanceof Inbound.Command c
                    && c.name().equals("IDENTIFY")) {
                return; // what follows may be encoded differently once IDENTIFY is handled
            }
        }
        if (state == State.DISCARD) {
            in.skipBytes(in.readableBytes());
        }
    }

    /**
     * Drops the bytes received but not yet decoded, and any command half read: a client that upgrades
     * its connection sends what comes next through the upgrade, so bytes that were sent before it
     * are not commands (nsqd loses them too). Call on the event loop, from the next handler.
     */
    public void discardBuffered() {
        ByteBuf buffered = internalBuffer();
        buffered.skipBytes(buffered.readableBytes());
        if (state == State.BODY) {
            pendingName = null;
            pendingParams = null;
            state = State.LINE;
        }
    }

    private void readMagic(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        String magic = in.readCharSequence(4, StandardCharsets.ISO_8859_1).toString();
        if (MAGIC.equals(magic)) {
            state = State.LINE;
        } else {
            out.add(new Inbound.BadMagic(magic));
            state = State.DISCARD;
        }
    }

    private void readLine(ByteBuf in, List<Object> out) {
        int newline = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (newline < 0) {
            if (in.readableBytes() > MAX_LINE) {
                out.add(new Inbound.LineTooLong(MAX_LINE));
                state = State.DISCARD;
            }
            return;
        }
        int length = newline - in.readerIndex();
        if (length > MAX_LINE) {
            out.add(new Inbound.LineTooLong(MAX_LINE));
            state = State.DISCARD;
            return;
        }
        int start = in.readerIndex();
        int end = newline;
        if (end > start && in.getByte(end - 1) == '\r') {
            end--;
        }
        in.readerIndex(newline + 1);
        Inbound.Answer answer = CommandLines.answer(in, start, end);
        if (answer != null) {
            out.add(answer);
            return;
        }
        List<String> words = CommandLines.words(in, start, end);
        String name = words.getFirst();
        List<String> params = words.subList(1, words.size());
        if (WITH_BODY.contains(name)) {
            pendingName = name;
            pendingParams = params;
            pendingSize = -1;
            state = State.BODY;
        } else {
            out.add(new Inbound.Command(name, params, Inbound.Command.NO_BODY, null));
        }
    }

    private void readBody(ByteBuf in, List<Object> out) {
        if (pendingSize < 0) {
            if (in.readableBytes() < 4) {
                return;
            }
            pendingSize = in.readInt();
            int limit = pendingName.equals("PUB") || pendingName.equals("DPUB") ? maxMessageSize : maxBodySize;
            if (pendingSize <= 0 || pendingSize > limit) {
                out.add(new Inbound.Command(pendingName, pendingParams, pendingSize, null));
                state = State.DISCARD;
                return;
            }
        }
        if (in.readableBytes() < pendingSize) {
            return;
        }
        byte[] body = new byte[pendingSize];
        in.readBytes(body);
        out.add(new Inbound.Command(pendingName, pendingParams, pendingSize, body));
        pendingName = null;
        pendingParams = null;
        state = State.LINE;
    }
}
