package dev.ferry.server;

import dev.ferry.Bus;
import dev.ferry.InvalidNameException;
import dev.ferry.Names;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One run of {@code sub}, {@code tail} or {@code consume}: subscribes a {@link PrintingConsumer} to a
 * channel and holds the command's thread until the consumer says to stop, then closes the
 * subscription, which lets running handlers finish and requeues what is still in flight. A SIGTERM
 * or Ctrl-C does the same through a shutdown hook.
 */
final class ChannelConsumption {
    /** What to consume and how. */
    record Settings(String topic, String channel, int maxInFlight, boolean json, long count, Duration idleTimeout) {}

    private ChannelConsumption() {}

    /**
     * Checks the settings and names, the usage errors of the three commands.
     *
     * @throws CommandLine.ParameterException naming what is wrong
     */
    static void check(CommandSpec spec, Settings s) {
        try {
            Names.checkTopic(s.topic());
            Names.checkChannel(s.channel());
        } catch (InvalidNameException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (s.maxInFlight() < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--max-in-flight must be at least 1, got " + s.maxInFlight());
        }
        if (s.count() < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--count must not be negative, got " + s.count());
        }
        if (s.idleTimeout().isNegative()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--timeout must not be negative, got " + s.idleTimeout());
        }
    }

    /**
     * Consumes until the count is reached, the idle timeout passes, standard output closes or the
     * process is stopped; returns the exit code: 0, or {@link Ferry#EXIT_FAILURE} when standard output
     * closed (the message that could not be written is requeued, not finished).
     *
     * @param onStart called once subscribed, with the consumer (a socket-activated consumer counts its
     *     wakeups as activity through it)
     */
    static int run(
            CommandSpec spec,
            BrokerOptions broker,
            ReportOptions report,
            Settings s,
            java.util.function.Consumer<PrintingConsumer> onStart) {
        check(spec, s);
        String name = spec.name();
        PrintWriter err = spec.commandLine().getErr();
        PrintingConsumer printer = new PrintingConsumer(spec.commandLine().getOut(), s.json(), s.count());
        long startNanos = System.nanoTime();
        PrintingConsumer.End end;
        try (Bus bus = broker.connect(b -> b)) {
            Thread hook = new Thread(bus::close, "ferry-" + name + "-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try (RateReporter ignored = report.start(name, printer::printed)) {
                Subscription subscription = bus.subscribe(
                        s.topic(), s.channel(), printer.handler(), SubscribeOptions.maxInFlight(s.maxInFlight()));
                log(err, name + ": consuming " + s.topic() + "/" + s.channel() + " from " + broker.describe());
                // the idle time counts from the moment messages can arrive, not from the connecting
                subscription.ready().thenRun(printer::subscribed);
                onStart.accept(printer);
                end = printer.await(s.idleTimeout());
                subscription.close();
                log(
                        err,
                        name + ": " + RateReporter.rate(printer.printed(), System.nanoTime() - startNanos) + "; "
                                + switch (end) {
                                    case COUNT -> "reached --count " + s.count();
                                    case IDLE -> "no message for " + readable(s.idleTimeout()) + ", exiting";
                                    case NOT_SUBSCRIBED ->
                                        "could not subscribe within "
                                                + readable(s.idleTimeout().plus(PrintingConsumer.SUBSCRIBE_ALLOWANCE))
                                                + " (is the broker running?), exiting";
                                    case OUTPUT_CLOSED ->
                                        "standard output is closed (the reader of the pipe"
                                                + " exited); the message that could not be written went back to"
                                                + " the channel";
                                    case INTERRUPTED -> "interrupted";
                                });
            } finally {
                removeHook(hook);
            }
        }
        // a consumer whose output is gone did not do its job: a pipeline sees it fail
        return end == PrintingConsumer.End.OUTPUT_CLOSED || end == PrintingConsumer.End.NOT_SUBSCRIBED
                ? Ferry.EXIT_FAILURE
                : 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and runs the hook itself
        }
    }

    /** {@code 30s}, {@code 1.5s}, {@code 250ms}. */
    static String readable(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis >= 1000 ? millis / 1000.0 + "s" : millis + "ms";
    }

    static void log(PrintWriter err, String line) {
        synchronized (err) {
            err.println(line);
            err.flush();
        }
    }
}
