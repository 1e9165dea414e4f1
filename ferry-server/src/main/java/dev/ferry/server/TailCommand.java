package dev.ferry.server;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry tail TOPIC}: prints what is published to a topic from now on, through an ephemeral
 * channel of its own ({@code tail<random>#ephemeral}), which the broker deletes when it leaves.
 */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description = {
            "Print the messages published to a topic from now on, one per line, through an ephemeral channel"
                    + " of its own (tail<random>#ephemeral), which takes nothing from other consumers.",
            "Runs until --count messages or until stopped."
        })
final class TailCommand extends ChannelCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic.")
    private String topic;

    @Override
    public Integer call() {
        String channel =
                String.format("tail%06d#ephemeral", ThreadLocalRandom.current().nextInt(1_000_000));
        return consume(settings(topic, channel, Duration.ZERO), printer -> {});
    }
}
