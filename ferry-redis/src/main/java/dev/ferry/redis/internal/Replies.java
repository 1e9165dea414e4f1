package dev.ferry.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reads the flat arrays the scripts answer: integers come as {@link Long}, strings as bytes. */
final class Replies {
    private Replies() {}

    static long number(List<Object> reply, int index) {
        Object v = reply.get(index);
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof byte[] b) {
            return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
        }
        throw new IllegalStateException("unexpected script answer at " + index + ": " + v);
    }

    static String text(List<Object> reply, int index) {
        Object v = reply.get(index);
        if (v instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        return String.valueOf(v);
    }

    static byte[] bytes(List<Object> reply, int index) {
        return (byte[]) reply.get(index);
    }

    static byte[] arg(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] arg(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }
}
