package dev.ferry.server;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker's refusal of a publish for its size, read from its error ({@code E_BAD_MESSAGE PUB message
 * too big 2000000 > 1048576}, {@code E_BAD_BODY MPUB body too big ...}), and the advice that goes with
 * it: the {@code ferry server} (and nsqd) flag that raises the limit.
 *
 * @param size the size refused, in bytes
 * @param limit the broker's limit, in bytes
 * @param flag {@code --max-msg-size} for one message, {@code --max-body-size} for a whole MPUB body
 */
record SizeRefusal(long size, long limit, String flag) {
    private static final Pattern TOO_BIG = Pattern.compile("(message|body) too big (\\d+) > (\\d+)");

    /** The size refusal in {@code error}'s chain of causes, if it is one. */
    static Optional<SizeRefusal> in(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Matcher m = TOO_BIG.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return Optional.of(new SizeRefusal(
                        Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3)),
                        m.group(1).equals("message") ? "--max-msg-size" : "--max-body-size"));
            }
        }
        return Optional.empty();
    }

    /** {@code over the broker's maximum message size of 1048576 bytes}. */
    String over() {
        return "over the broker's maximum " + (flag.equals("--max-msg-size") ? "message" : "MPUB body") + " size of "
                + limit + " bytes";
    }

    /**
     * How to raise the limit to {@code atLeast} bytes (or to the size refused, if larger): {@code ferry
     * server --max-msg-size=2000000 (nsqd takes the same flag; ...)}.
     */
    String advice(long atLeast) {
        long needed = Math.max(atLeast, size);
        return "ferry server " + flag + "=" + needed + " (nsqd takes the same flag"
                + (flag.equals("--max-msg-size") ? "; keep --max-body-size at least as large)" : ")");
    }
}
