package dev.ferry.server;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The options {@code sub}, {@code tail} and {@code consume} share: max in flight, count, JSON. A picocli mixin. */
final class OutputOptions {
    @Option(
            names = {"--max-in-flight", "-max-in-flight"},
            defaultValue = "1",
            paramLabel = "N",
            description = "Messages handled at once (default: ${DEFAULT-VALUE}, which keeps the order).")
    private int maxInFlight;

    @Option(
            names = {"--count", "-n", "-count"},
            defaultValue = "0",
            paramLabel = "N",
            description = "Exit after N messages (default: 0, no limit).")
    private long count;

    @Option(
            names = {"--json", "-json"},
            description = "Print each message as a JSON object with its id, attempts, timestamp (ns) and body.")
    private boolean json;

    ChannelConsumption.Settings settings(String topic, String channel, Duration idleTimeout) {
        return new ChannelConsumption.Settings(topic, channel, maxInFlight, json, count, idleTimeout);
    }
}
