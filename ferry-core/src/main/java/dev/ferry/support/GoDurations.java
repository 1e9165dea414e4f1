package dev.ferry.support;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as Go's {@code time.ParseDuration} reads them ({@code 60s}, {@code 1m30s},
 * {@code 250ms}, {@code 1h}, {@code -1.5h}), so nsqd's flag values and engine URI parameters read the
 * same way. Stateless and thread-safe.
 */
public final class GoDurations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDurations() {}

    /**
     * Parses a Go duration, signed or not.
     *
     * @throws IllegalArgumentException naming the text, when it is not one
     */
    public static Duration parse(String text) {
        boolean negative = text.startsWith("-");
        String unsigned = negative || text.startsWith("+") ? text.substring(1) : text;
        Duration d = parseUnsigned(text, unsigned);
        return negative ? d.negated() : d;
    }

    private static Duration parseUnsigned(String given, String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(text);
        int at = 0;
        double nanos = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            double value = Double.parseDouble(m.group(1));
            nanos += value
                    * switch (m.group(2)) {
                        case "ns" -> 1;
                        case "us", "µs" -> 1e3;
                        case "ms" -> 1e6;
                        case "s" -> 1e9;
                        case "m" -> 60e9;
                        default -> 3600e9;
                    };
            at = m.end();
        }
        if (at == 0 || at != text.length()) {
            throw new IllegalArgumentException(
                    "invalid duration \"" + given + "\" (write it as Go does: 60s, 1m30s, 250ms, 1h)");
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** {@code d} in Go's syntax, in whole milliseconds when it is some ({@code 1500ms}), else nanoseconds. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + "ms" : nanos + "ns";
    }
}
