package dev.ferry.server;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ferry server}: the broker. Serves NSQ's TCP protocol and nsqd's HTTP API over the engine
 * {@code --engine} names (the embedded engine in {@code --data-path} by default). Its command line is nsqd 1.3's: every nsqd flag, in every form Go's flag package reads, and
 * {@code --config FILE} for nsqd's TOML option file ({@link ServerFlags}, {@link ServerArgs}); Ferry's
 * own settings sit beside them. SIGTERM (or Ctrl-C) stops accepting, requeues what is in flight, syncs
 * the data and exits 0.
 *
 * <p>This is picocli's face of the command: its model gives {@code --help}, and every usage error is
 * reported through it. A command line without either starts through {@link ServerFlagReader}
 * instead, from the same declarations and into the same {@link ServerStart}, without picocli.
 *
 * <p>Threads: picocli's (the caller's) parses, starts and then waits; a shutdown hook wakes it on
 * SIGTERM and waits for it to close everything.
 */
@Command(
        name = "server",
        versionProvider = FerryVersion.class,
        preprocessor = ServerArgs.class,
        sortOptions = false,
        showDefaultValues = true,
        usageHelpAutoWidth = true,
        description = "Run the broker: NSQ's TCP protocol and nsqd's HTTP API over an engine (--engine; by default"
                + " the embedded one, durable in --data-path).",
        customSynopsis = "ferry server [FLAG]...",
        footer = {
            "",
            "The flags are nsqd 1.3's, with Ferry's own last. They take Go's forms: -flag value, -flag=value,"
                    + " --flag value, --flag=value; a boolean flag alone means true and takes a value only after"
                    + " '=' (-snappy=false).",
            "In a --config file a flag is a key with _ for - (msg_timeout = \"60s\"). Flags said to be ignored"
                    + " are accepted and checked; the broker names the ones given, and why, as it starts."
        })
final class ServerCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private ServerFlags flags;

    @Override
    public Integer call() throws InterruptedException {
        ServerStart start;
        try {
            start = ServerStart.check(flags, FlagSpec.given(spec.commandLine().getParseResult()));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        return start.run(spec.commandLine().getErr());
    }

    /** After parsing: the flags' values, as picocli set them. */
    ServerFlags flags() {
        return flags;
    }

    /** After parsing: the settings, or a usage error naming every flag that is wrong. */
    ServerSettings settings() {
        try {
            Set<String> given = spec.commandLine().getParseResult().matchedOptions().stream()
                    .map(o -> o.longestName())
                    .collect(Collectors.toSet());
            return ServerSettings.from(flags, given);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** After parsing: the line naming the flags given that Ferry ignores, and why; empty when none is. */
    Optional<String> ignoredFlagsLine() {
        return ServiceRunner.ignoredFlagsLine(spec);
    }
}
