package dev.ferry.nsq.internal.codec;

import io.netty.buffer.ByteBuf;

/**
 * Writes message frames straight into a buffer, the id as 16 lowercase hex bytes taken from the
 * 64-bit id: what the server's delivery path uses to lay a whole claimed batch into one buffer,
 * without a {@link Frame.Message} or an id string per message. Stateless.
 */
public final class MessageFrames {
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private MessageFrames() {}

    /** The bytes a message frame with a body of {@code bodyLength} bytes takes on the wire. */
    public static int size(int bodyLength) {
        return Frame.Message.HEADER_BYTES + bodyLength;
    }

    /**
     * Appends one message frame ({@code size | type | timestamp | attempts | id | body}) to {@code
     * out}, growing it when needed.
     *
     * @param attempts the delivery number, within the uint16 range
     */
    public static void write(ByteBuf out, long timestamp, int attempts, long id, byte[] body) {
        out.ensureWritable(size(body.length));
        out.writeInt(4 + 8 + 2 + 16 + body.length);
        out.writeInt(Frame.TYPE_MESSAGE);
        out.writeLong(timestamp);
        out.writeShort(attempts);
        // two big-endian longs of eight hex digits each: the id's high and low 32 bits
        out.writeLong(hexDigits((int) (id >>> 32)));
        out.writeLong(hexDigits((int) id));
        out.writeBytes(body);
    }

    /** The eight lowercase hex digits of {@code word}, most significant first, as one long. */
    private static long hexDigits(int word) {
        long digits = 0;
        for (int shift = 28; shift >= 0; shift -= 4) {
            digits = (digits << 8) | HEX[(word >>> shift) & 0xF];
        }
        return digits;
    }
}
