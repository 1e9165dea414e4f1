package dev.ferry.server;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ferry} program: the top command, whose subcommands do the work.
 *
 * <p>Exit codes: 0 on success, 1 when a command fails at run time (the reason goes to stderr), 2 for
 * a usage error (unknown option, bad value), as picocli does by default.
 */
@Command(
        name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = FerryVersion.class,
        description = "A message bus for the JVM with NSQ's semantics and wire protocol.",
        usageHelpAutoWidth = true)
public final class Ferry implements Runnable {
    /** Exit code of a command that failed at run time. */
    static final int EXIT_FAILURE = 1;

    /**
     * The subcommands, in the order {@code ferry --help} lists them. picocli builds a command's model
     * (every option, read by reflection) when the command is added, so {@link #commandLine(String[])}
     * adds only the one a command line names: {@code ferry server} need not build all sixteen.
     */
    static final List<Subcommand> SUBCOMMANDS = List.of(
            new Subcommand("demo", DemoCommand.class),
            new Subcommand("server", ServerCommand.class),
            new Subcommand("pub", PubCommand.class),
            new Subcommand("sub", SubCommand.class),
            new Subcommand("tail", TailCommand.class),
            new Subcommand("produce", ProduceCommand.class),
            new Subcommand("consume", ConsumeCommand.class),
            new Subcommand("query", QueryCommand.class),
            new Subcommand("lookupd", LookupdCommand.class),
            new Subcommand("bench", BenchCommand.class),
            new Subcommand("stats", StatsCommand.class),
            new Subcommand("check", CheckCommand.class),
            new Subcommand("rpc", RpcCommand.class),
            new Subcommand("wakeup", WakeupCommand.class),
            new Subcommand("presence", PresenceCommand.class),
            new Subcommand("federate", FederateCommand.class));

    /** A subcommand's name (as its {@code @Command} gives it) and class. */
    record Subcommand(String name, Class<?> type) {}

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs the program and exits with the command's exit code. */
    public static void main(String[] args) {
        boolean longRunning = args.length > 0
                && Set.of("server", "lookupd", "wakeup", "demo", "presence", "federate")
                        .contains(args[0]);
        if (!longRunning) {
            // the client commands print their own lines on stderr; the client's connection news
            // (connected, subscribed) would only clutter them, its warnings still show
            System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log.dev.ferry.nsq.internal.client", "warn");
        }
        if (printVersion(args, System.out)) {
            System.exit(0);
        }
        CommandLine cmd = commandLine(args);
        // a writer that sees a broken pipe, unlike System.out (sub, tail and consume stop on it)
        cmd.setOut(StandardOutput.writer());
        System.exit(cmd.execute(args));
    }

    /**
     * {@code ferry --version} (or {@code -V}) alone: prints the version lines as picocli would, but
     * without it ({@link Main#printVersion}).
     *
     * @return whether {@code args} asked for the version (and it was printed)
     */
    static boolean printVersion(String[] args, PrintStream out) {
        return Main.printVersion(args, out);
    }

    /**
     * The command line of the program with every subcommand, ready to {@link CommandLine#execute
     * execute}. Tests set its output and error writers to capture what a command prints.
     */
    static CommandLine commandLine() {
        return withSubcommands(SUBCOMMANDS);
    }

    /**
     * The command line to run {@code args} with: when its first argument names a subcommand, only
     * that one is built, which saves a command's start the others' models; otherwise (no argument,
     * {@code --help}, a misspelt name) every one, so that help and suggestions list them all.
     */
    static CommandLine commandLine(String[] args) {
        String first = args.length == 0 ? "" : args[0];
        return withSubcommands(SUBCOMMANDS.stream()
                .filter(c -> c.name().equals(first))
                .findFirst()
                .map(List::of)
                .orElse(SUBCOMMANDS));
    }

    private static CommandLine withSubcommands(List<Subcommand> subcommands) {
        CommandLine cmd = new CommandLine(new Ferry());
        subcommands.forEach(c -> cmd.addSubcommand(c.name(), c.type()));
        cmd.setExecutionExceptionHandler(Ferry::reportFailure)
                // an argument such as @file is a value, as Go's flag package reads it, not a file of arguments
                .setExpandAtFiles(false);
        CommandLine.IParameterExceptionHandler usage = cmd.getParameterExceptionHandler();
        return cmd.setParameterExceptionHandler(
                (e, args) -> e.getCommandLine().getCommandName().equals("server")
                                || e.getCommandLine().getCommandName().equals("lookupd")
                        ? reportServerUsageError(e)
                        : usage.handleParseException(e, args));
    }

    /**
     * A usage error of {@code ferry server} or {@code ferry lookupd}: the message and where the flags are
     * listed, not the list itself, which would bury the message under nsqd's seventy flags.
     */
    private static int reportServerUsageError(CommandLine.ParameterException e) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = "ferry " + cmd.getCommandName();
        err.println(cmd.getColorScheme().errorText(name + ": " + e.getMessage()));
        err.println("Run '" + name + " --help' for its flags.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** {@code ferry} alone: there is no default command, so show the usage and fail as a usage error. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /**
     * A command threw: print one line naming the failure (a stack trace only for what looks like a
     * bug) and exit with {@link #EXIT_FAILURE}.
     */
    private static int reportFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println(commandLine.getColorScheme().errorText("ferry: " + e.getMessage()));
        if (!(e instanceof dev.ferry.FerryException)) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    }
}
