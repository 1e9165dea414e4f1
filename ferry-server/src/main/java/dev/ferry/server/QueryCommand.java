package dev.ferry.server;

import dev.ferry.Bus;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry query TOPIC JSON}: request/reply from the command line through {@link Bus#query}:
 * publishes the JSON object as a request and prints the reply's JSON on standard output.
 */
@Command(
        name = "query",
        mixinStandardHelpOptions = true,
        description = {
            "Publish a JSON object to a topic as a request (Ferry adds Msg-ID and Server-ID) and print the reply"
                    + " on standard output.",
            "Exits 1 when no reply comes within --timeout."
        })
final class QueryCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic the responders consume.")
    private String topic;

    @Parameters(index = "1", paramLabel = "JSON", description = "The request, a JSON object.")
    private String request;

    @Option(
            names = {"--timeout", "-timeout"},
            defaultValue = "2s",
            converter = GoDuration.class,
            paramLabel = "DURATION",
            description = "How long to wait for the reply (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Override
    public Integer call() {
        checkTopic(topic);
        if (timeout.toMillis() < 1) {
            throw usageError("--timeout must be at least 1ms, got " + timeout);
        }
        try (Bus bus = broker.connect(b -> b)) {
            String reply;
            try {
                reply = bus.query(topic, request, timeout);
            } catch (IllegalArgumentException e) {
                throw usageError(e.getMessage());
            }
            spec.commandLine().getOut().println(reply);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
