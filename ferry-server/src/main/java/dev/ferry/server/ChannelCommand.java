package dev.ferry.server;

import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;

/**
 * The base of the commands that print a channel's messages ({@code sub}, {@code tail}, {@code
 * consume}): on top of {@link ClientCommand}, the rate report and output options, and the {@link
 * ChannelConsumption} run they end in.
 */
abstract class ChannelCommand extends ClientCommand {
    @Mixin
    ReportOptions report;

    @Mixin
    OutputOptions output;

    /** What to consume, with this command's output options. */
    final ChannelConsumption.Settings settings(String topic, String channel, Duration idleTimeout) {
        return output.settings(topic, channel, idleTimeout);
    }

    /**
     * Consumes until done (see {@link ChannelConsumption#run}) and returns the exit code.
     *
     * @param onStart called once subscribed, with the consumer
     */
    final int consume(ChannelConsumption.Settings settings, Consumer<PrintingConsumer> onStart) {
        return ChannelConsumption.run(spec, broker, report, settings, onStart);
    }
}
