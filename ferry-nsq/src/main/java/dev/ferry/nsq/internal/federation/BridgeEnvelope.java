package dev.ferry.nsq.internal.federation;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The mark a topic bridge puts on what it forwards, so the bridge going the other way does not send
 * it back: the body is prefixed with the four bytes {@code 0x00 'F' 'B' 0x01}, one byte giving the
 * length of the origin site's name, and that name in UTF-8; the original body follows unchanged.
 * Stateless; thread-safe.
 */
public final class BridgeEnvelope {
    private static final byte[] MAGIC = {0x00, 'F', 'B', 0x01};

    private BridgeEnvelope() {}

    /** Whether {@code body} was forwarded by a bridge. */
    public static boolean isBridged(byte[] body) {
        return body.length >= MAGIC.length + 1
                && Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                && body.length >= MAGIC.length + 1 + (body[MAGIC.length] & 0xff);
    }

    /** {@code body} marked as forwarded from {@code origin} (at most 255 bytes of UTF-8). */
    public static byte[] wrap(String origin, byte[] body) {
        byte[] name = origin.getBytes(StandardCharsets.UTF_8);
        if (name.length > 255) {
            throw new IllegalArgumentException("a bridge's origin name is at most 255 bytes, got " + name.length);
        }
        byte[] out = new byte[MAGIC.length + 1 + name.length + body.length];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[MAGIC.length] = (byte) name.length;
        System.arraycopy(name, 0, out, MAGIC.length + 1, name.length);
        System.arraycopy(body, 0, out, MAGIC.length + 1 + name.length, body.length);
        return out;
    }

    /** The original body of a forwarded one; {@code body} itself when it carries no mark. */
    public static byte[] unwrap(byte[] body) {
        if (!isBridged(body)) {
            return body;
        }
        int start = MAGIC.length + 1 + (body[MAGIC.length] & 0xff);
        return Arrays.copyOfRange(body, start, body.length);
    }

    /** The origin site a forwarded body names; null when it carries no mark. */
    public static String origin(byte[] body) {
        if (!isBridged(body)) {
            return null;
        }
        return new String(body, MAGIC.length + 1, body[MAGIC.length] & 0xff, StandardCharsets.UTF_8);
    }
}
