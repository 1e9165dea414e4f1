package dev.ferry.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry consume --topic T --channel G}: a consumer in group G of stream T. Consumers of one
 * group (channel) share the stream; each group gets all of it. Prints each body on its own line.
 *
 * <p>With {@code --timeout} it exits after that long without a message; with {@code
 * --socket-activated} it is an on-demand consumer: started by systemd when {@code ferry wakeup}
 * connects to its socket, it takes the wakeup connections off that socket ({@link ActivationSocket}),
 * drains its channel and exits once idle, to be started again by the next backlog.
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = {
            "Consume a stream (topic) as a member of a group (channel): consumers of one group share the"
                    + " messages, every group gets all of them. Each body goes on its own line to standard"
                    + " output, the command's own messages to standard error.",
            "With --timeout it exits after that long without a message. With --socket-activated it takes the"
                    + " listening socket systemd passes (LISTEN_FDS, or standard input with StandardInput=socket),"
                    + " accepts and closes the wakeup connections, and exits once idle for --timeout."
        })
final class ConsumeCommand extends ChannelCommand {
    @Option(
            names = {"--topic", "-topic"},
            required = true,
            description = "The stream (topic) to consume.")
    private String topic;

    @Option(
            names = {"--channel", "-channel"},
            required = true,
            description = "The group (channel) to consume as; created when missing.")
    private String channel;

    @Option(
            names = {"--timeout", "-timeout"},
            defaultValue = "0",
            converter = IdleTimeout.class,
            paramLabel = "DURATION",
            description = "Exit after this long without a message, e.g. 30s or 30 (seconds); 0 never"
                    + " (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(
            names = {"--socket-activated", "-socket-activated"},
            description = "Run as a socket-activated consumer (needs --timeout): take the listening socket"
                    + " systemd passes, accept and close its wakeup connections, exit once idle.")
    private boolean socketActivated;

    @Override
    public Integer call() throws IOException {
        ChannelConsumption.Settings settings = settings(topic, channel, timeout);
        ChannelConsumption.check(spec, settings);
        if (!socketActivated) {
            return consume(settings, printer -> {});
        }
        if (timeout.isZero()) {
            throw usageError(
                    "--socket-activated needs --timeout: the idle time after which the consumer exits until its"
                            + " next wakeup");
        }
        PrintWriter err = spec.commandLine().getErr();
        AtomicReference<PrintingConsumer> consumer = new AtomicReference<>();
        try (ActivationSocket activation = ActivationSocket.adopt(
                System.getenv(),
                where -> {
                    PrintingConsumer c = consumer.get();
                    if (c != null) {
                        c.activity();
                    }
                    ChannelConsumption.log(err, "consume: woken by a connection on " + where);
                },
                line -> ChannelConsumption.log(err, "consume: " + line))) {
            ChannelConsumption.log(err, "consume: socket-activated on " + activation.description());
            return consume(settings, consumer::set);
        }
    }

    /** A Go duration ({@code 30s}), or a bare number of seconds as the Makefile's TIMEOUT=30. */
    static final class IdleTimeout implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(value));
            }
            return new GoDuration().convert(value);
        }
    }
}
