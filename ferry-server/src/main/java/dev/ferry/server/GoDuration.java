package dev.ferry.server;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations written as Go's {@code time.ParseDuration} reads them ({@code 60s}, {@code 1m30s},
 * {@code 250ms}, {@code 1h}), so nsqd's flag values work unchanged. Also a picocli converter.
 */
final class GoDuration implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    /**
     * Parses a Go duration.
     *
     * @throws IllegalArgumentException naming the text, when it is not one
     */
    static Duration parse(String text) {
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
                    "invalid duration \"" + text + "\" (write it as Go does: 60s, 1m30s, 250ms, 1h)");
        }
        return Duration.ofNanos((long) nanos);
    }

    @Override
    public Duration convert(String value) {
        return parse(value);
    }
}
