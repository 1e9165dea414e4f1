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
    /** A one in every byte of a long. */
    private static final long ONES = 0x0101010101010101L;
    /** The top bit of every byte of a long. */
    private static final long TOP_BITS = 0x8080808080808080L;
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
     * bytes are read as two big-endian longs and decoded eight at a time (every FIN comes through
     * here: one bounds check per long, no branch per digit).
     */
    private static Inbound.Answer withId(ByteBuf in, int at, String name, String timeout) {
        long high = hexDigits(in.getLong(at));
        long low = hexDigits(in.getLong(at + ID_DIGITS / 2));
        if (high < 0 || low < 0) {
            return null;
        }
        return new Inbound.Answer(name, high << 32 | low, timeout);
    }

    /**
     * The value of the 8 lowercase hex digits packed in {@code ascii}, first digit in the highest
     * byte; -1 when any byte is not one. Each byte is tested for the ranges {@code '0'-'9'} and
     * {@code 'a'-'f'} at once: adding {@code 0x80 - c} to a byte under 0x80 sets its top bit exactly
     * when the byte is at least {@code c}, and no sum carries into the next byte.
     */
    private static long hexDigits(long ascii) {
        long atLeast0 = ascii + 0x50 * ONES; // 0x80 - '0'
        long over9 = ascii + 0x46 * ONES; // 0x80 - ('9' + 1)
        long atLeastA = ascii + 0x1F * ONES; // 0x80 - 'a'
        long overF = ascii + 0x19 * ONES; // 0x80 - ('f' + 1)
        long digitOrLetter = ((atLeast0 & ~over9) | (atLeastA & ~overF)) & TOP_BITS;
        if ((ascii & TOP_BITS) != 0 || digitOrLetter != TOP_BITS) {
            return -1;
        }
        // a digit's value is its low nibble; a letter's (bit 0x40 set) its low nibble plus 9
        long nibbles = (ascii & 0x0F0F0F0F0F0F0F0FL) + 9 * ((ascii & 0x4040404040404040L) >>> 6);
        long bytes = ((nibbles & 0x0F000F000F000F00L) >>> 4) | (nibbles & 0x000F000F000F000FL);
        long shorts = ((bytes & 0x00FF000000FF0000L) >>> 8) | (bytes & 0x000000FF000000FFL);
        return ((shorts >>> 16) & 0xFFFF0000L) | (shorts & 0xFFFFL);
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
