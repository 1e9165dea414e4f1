package dev.ferry.server;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How often a long-running command prints its rate-and-total line on standard error. A picocli mixin. */
final class ReportOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    private CommandLine.Model.CommandSpec mixee;

    @Option(
            names = {"--report-interval", "-report-interval"},
            defaultValue = "5s",
            converter = GoDuration.class,
            paramLabel = "DURATION",
            description = "Print the message rate and total on standard error this often; 0 never"
                    + " (default: ${DEFAULT-VALUE}).")
    private Duration interval;

    /** Starts reporting {@code total} messages under {@code name}; close the reporter to stop. */
    RateReporter start(String name, LongSupplier total) {
        if (interval.isNegative()) {
            throw new CommandLine.ParameterException(
                    mixee.commandLine(), "--report-interval must not be negative: " + interval);
        }
        PrintWriter err = mixee.commandLine().getErr();
        return new RateReporter(name, total, interval, err);
    }
}
