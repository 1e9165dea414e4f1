package dev.ferry.server;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry wakeup}: starts socket-activated consumers whose channel has a backlog. */
@Command(
        name = "wakeup",
        mixinStandardHelpOptions = true,
        description = {
            "Poll the brokers' /stats and connect to the socket of each channel that has messages and no"
                    + " consumer, so that systemd starts the consumer behind it. Consumes nothing itself.",
            "Runs until stopped; logs whom it woke and why to standard error."
        })
final class WakeupCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"--nsqd-http-address", "-nsqd-http-address"},
            paramLabel = "HOST:PORT",
            description = "HTTP address of a broker to watch (repeatable; default: 127.0.0.1:4151).")
    private List<String> httpAddresses = new ArrayList<>();

    @Option(
            names = {"--socket", "-socket"},
            defaultValue = "/run/ferry/{topic}/{channel}.sock",
            paramLabel = "TEMPLATE",
            description = "Socket of a channel's consumer, with {topic} and {channel} (default: ${DEFAULT-VALUE}).")
    private String socketTemplate;

    @Option(
            names = {"--interval", "-interval"},
            defaultValue = "1s",
            converter = GoDuration.class,
            description = "Time between two polls of /stats (default: ${DEFAULT-VALUE}).")
    private Duration interval;

    @Option(
            names = {"--min-wake-interval", "-min-wake-interval"},
            defaultValue = "5s",
            converter = GoDuration.class,
            description = "Least time between two wakeups of one socket (default: ${DEFAULT-VALUE}).")
    private Duration minWakeInterval;

    @Option(
            names = {"--count", "-count"},
            defaultValue = "0",
            description = "Stop after this many polls (default: 0, never).")
    private long count;

    @Override
    public Integer call() throws Exception {
        if (!socketTemplate.contains("{channel}")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--socket must contain {channel} (and usually {topic}): " + socketTemplate);
        }
        if (interval.isZero() || interval.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interval must be positive: " + interval);
        }
        List<String> addresses = httpAddresses.isEmpty() ? List.of("127.0.0.1:4151") : httpAddresses;
        for (String a : addresses) {
            try {
                HostPort.parse("--nsqd-http-address", a);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        WakeupService service =
                new WakeupService(addresses, socketTemplate, minWakeInterval, Clock.systemUTC(), line -> {
                    err.println(line);
                    err.flush();
                });
        err.printf(
                "wakeup: watching %s every %d ms; sockets %s%n",
                String.join(", ", addresses), interval.toMillis(), socketTemplate);
        err.flush();
        for (long n = 1; ; n++) {
            service.poll();
            if (count > 0 && n >= count) {
                return 0;
            }
            Thread.sleep(interval.toMillis());
        }
    }
}
