package dev.ferry.nsq.internal.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a command line from the bytes it arrived in (the newline and a trailing carriage return
 * already cut off), for {@link CommandDecoder}: the usual forms of FIN, REQ and TOUCH straight into
 * an {@link Inbound.Answer} without a string for the id, and any line as its words split on single
 * spaces, as nsqd does ({@code "REQ  id"} has an empty word between the spaces). Stateless.
 */
final class CommandLines {
    private static final int ID_DIGITS = 16;
    /** The names of V2's commands, so that a line's name costs no string of its own. */
    private static final String[] KNOWN = {
        "FIN", "RDY", "REQ", "PUB", "MPUB", "DPUB", "NOP", "TOUCH", "SUB", "CLS", "IDENTIFY", "AUTH"
    };

    private CommandLines() {}

    /**
     * The line {@code [start, end)} of {@code in} as an answer when it is exactly {@code FIN id},
     * {@code TOUCH id} or {@code REQ id timeout} with a 16-digit lowercase hex id and a timeout
     * without spaces; null otherwise (the line is then read as words).
     */
    static Inbound.Answer answer(ByteBuf in, int start, int end) {
        int length = end - start;
        if (length == 4 + ID_DIGITS && startsWith(in, start, "FIN ")) {
            return withId(in, start + 4, "FIN", null);
        }
        if (length == 6 + ID_DIGITS && startsWith(in, start, "TOUCH ")) {
            return withId(in, start + 6, "TOUCH", null);
        }
        int timeoutAt = start + 4 + ID_DIGITS + 1;
        if (length > 4 + ID_DIGITS + 1
                && startsWith(in, start, "REQ ")
                && in.getByte(timeoutAt - 1) == ' '
                && in.indexOf(timeoutAt, end, (byte) ' ') < 0) {
            return withId(in, start + 4, "REQ", in.toString(timeoutAt, end - timeoutAt, StandardCharsets.UTF_8));
        }
        return null;
    }

    /**
     * The answer whose id is the 16 bytes at {@code at}, or null when they are not lowercase hex. The
     * bytes are read as two big-endian longs (one bounds check each, not one per byte: every FIN
     * comes through here).
     */
    private static Inbound.Answer withId(ByteBuf in, int at, String name, String timeout) {
        long high = hexDigits(in.getLong(at));
        long low = hexDigits(in.getLong(at + ID_DIGITS / 2));
        if (high < 0 || low < 0) {
            return null;
        }
        return new Inbound.Answer(name, high << 32 | low, timeout);
    }

    /** The value of the 8 lowercase hex digits packed in {@code ascii} (first digit highest), or -1. */
    private static long hexDigits(long ascii) {
        long value = 0;
        for (int shift = 56; shift >= 0; shift -= 8) {
            int b = (int) (ascii >>> shift) & 0xFF;
            int digit;
            if (b >= '0' && b <= '9') {
                digit = b - '0';
            } else if (b >= 'a' && b <= 'f') {
                digit = b - 'a' + 10;
            } else {
                return -1;
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    /**
     * The words of the line {@code [start, end)}, split on every single space (so never empty: an
     * empty line is one empty word); each word decoded as UTF-8, a command name known to V2 shared.
     */
    static List<String> words(ByteBuf in, int start, int end) {
        List<String> words = new ArrayList<>(4);
        int from = start;
        while (true) {
            int space = in.indexOf(from, end, (byte) ' ');
            int to = space < 0 ? end : space;
            words.add(words.isEmpty() ? name(in, from, to) : in.toString(from, to - from, StandardCharsets.UTF_8));
            if (space < 0) {
                return words;
            }
            from = space + 1;
        }
    }

    private static String name(ByteBuf in, int from, int to) {
        for (String known : KNOWN) {
            if (known.length() == to - from && startsWith(in, from, known)) {
                return known;
            }
        }
        return in.toString(from, to - from, StandardCharsets.UTF_8);
    }

    /** Whether the bytes at {@code at} are the ASCII {@code prefix} (the caller checked the length). */
    private static boolean startsWith(ByteBuf in, int at, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (in.getByte(at + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
