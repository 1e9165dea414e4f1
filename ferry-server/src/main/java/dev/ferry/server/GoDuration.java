package dev.ferry.server;

import dev.ferry.support.GoDurations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Durations written as Go's {@code time.ParseDuration} reads them ({@code 60s}, {@code 1m30s},
 * {@code 250ms}, {@code 1h}, {@code -1.5h}), so nsqd's flag values work unchanged: the picocli
 * converter over {@link GoDurations}.
 */
final class GoDuration implements CommandLine.ITypeConverter<Duration> {
    /**
     * Parses a Go duration.
     *
     * @throws IllegalArgumentException naming the text, when it is not one
     */
    static Duration parse(String text) {
        return GoDurations.parse(text);
    }

    /** {@code d} in Go's syntax, in whole milliseconds when it is some ({@code 1500ms}), else nanoseconds. */
    static String format(Duration d) {
        return GoDurations.format(d);
    }

    @Override
    public Duration convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
