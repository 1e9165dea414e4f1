package dev.ferry.server;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry sub TOPIC --channel C}: prints the messages of a channel, one per line. */
@Command(
        name = "sub",
        mixinStandardHelpOptions = true,
        description = {
            "Consume a channel of a topic and print each message on its own line on standard output"
                    + " (the body, or a JSON object with --json); messages of its own go to standard error.",
            "Consumers of one channel share its messages. Runs until --count messages or until stopped."
        })
final class SubCommand extends ChannelCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic.")
    private String topic;

    @Option(
            names = {"--channel", "-channel"},
            required = true,
            description = "The channel; created when missing.")
    private String channel;

    @Override
    public Integer call() {
        return consume(settings(topic, channel, Duration.ZERO), printer -> {});
    }
}
