package dev.ferry.nsq.internal.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses the body of MPUB (TCP, and HTTP {@code /mpub?binary=true}): {@code int32 count}, then per
 * message {@code int32 size | bytes}. Everything is checked before anything is published, so a
 * batch is all or nothing; the errors carry nsqd's codes and texts and are all fatal.
 */
public final class MpubBody {
    private MpubBody() {}

    /**
     * The messages of an MPUB body.
     *
     * @throws NsqError E_BAD_BODY for a missing or out-of-range count, E_BAD_MESSAGE for a message
     *     whose size is missing, not positive or over {@code maxMessageSize}, or whose bytes are cut
     */
    public static List<byte[]> parse(byte[] body, int maxMessageSize, int maxBodySize) {
        // plain array reads: a ByteBuffer's bulk get costs more than copying a small message
        if (body.length < 4) {
            throw NsqError.fatal("E_BAD_BODY", "MPUB failed to read message count");
        }
        int count = int32(body, 0);
        int at = 4;
        long maxMessages = (maxBodySize - 4L) / 5;
        if (count <= 0 || count > maxMessages) {
            throw NsqError.fatal("E_BAD_BODY", "MPUB invalid message count " + count);
        }
        // each message takes at least its 4-byte size: a count the bytes cannot back gets no room
        List<byte[]> messages = new ArrayList<>(Math.min(count, (body.length - at) / 4));
        for (int i = 0; i < count; i++) {
            if (body.length - at < 4) {
                throw NsqError.fatal("E_BAD_MESSAGE", "MPUB failed to read message(" + i + ") body size");
            }
            int size = int32(body, at);
            at += 4;
            if (size <= 0) {
                throw NsqError.fatal("E_BAD_MESSAGE", "MPUB invalid message(" + i + ") body size " + size);
            }
            if (size > maxMessageSize) {
                throw NsqError.fatal("E_BAD_MESSAGE", "MPUB message too big " + size + " > " + maxMessageSize);
            }
            if (body.length - at < size) {
                throw NsqError.fatal("E_BAD_MESSAGE", "MPUB failed to read message body");
            }
            messages.add(Arrays.copyOfRange(body, at, at + size));
            at += size;
        }
        return messages;
    }

    /** The big-endian int32 at {@code at}. */
    private static int int32(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) << 24
                | (bytes[at + 1] & 0xFF) << 16
                | (bytes[at + 2] & 0xFF) << 8
                | (bytes[at + 3] & 0xFF);
    }
}
