package dev.ferry.server;

import dev.ferry.nsq.LookupdServer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry lookupd}: the discovery service, in nsqlookupd 1.3's image ({@link LookupdServer}).
 * Brokers ({@code ferry server --lookupd-tcp-address}, or nsqd) register over its TCP protocol, and
 * clients find them over its HTTP API. Its command line is nsqlookupd's, read by Go's rules ({@link
 * ServerArgs}), {@code --config FILE} included; only the default addresses differ: loopback, as
 * {@code ferry server}'s. SIGTERM (or Ctrl-C) closes both listeners and exits 0.
 *
 * <p>Threads: picocli's (the caller's) parses, starts and then waits; a shutdown hook wakes it on
 * SIGTERM and waits for it to close everything.
 */
@Command(
        name = "lookupd",
        versionProvider = FerryVersion.class,
        preprocessor = ServerArgs.class,
        sortOptions = false,
        showDefaultValues = true,
        usageHelpAutoWidth = true,
        description = "Run the discovery service: nsqlookupd's TCP protocol and HTTP API.",
        customSynopsis = "ferry lookupd [FLAG]...",
        footer = {
            "",
            "The flags are nsqlookupd 1.3's, in Go's forms: -flag value, -flag=value, --flag value, --flag=value.",
            "In a --config file a flag is a key with _ for - (tombstone_lifetime = \"45s\")."
        })
final class LookupdCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show these flags and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @ServerFlags.CommandLineOnly
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "nsqlookupd's TOML option file (keys: the flag names with _ for -); flags given on"
                    + " the command line win over it.")
    String config;

    @Option(
            names = "--log-level",
            defaultValue = "info",
            paramLabel = "LEVEL",
            converter = ServerFlags.LogLevel.Converter.class,
            description = "Log verbosity: debug, info, warn, error or fatal.")
    ServerFlags.LogLevel logLevel;

    @ServerFlags.Ignored("Ferry's log lines carry no prefix")
    @Option(
            names = "--log-prefix",
            defaultValue = "[nsqlookupd] ",
            paramLabel = "TEXT",
            description = "Ignored by Ferry.")
    String logPrefix;

    @ServerFlags.Ignored("deprecated in nsqlookupd, where it does nothing either; use --log-level")
    @Option(
            names = "--verbose",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "BOOL",
            description = "Deprecated in nsqlookupd; ignored.")
    boolean verbose;

    @Option(
            names = "--tcp-address",
            defaultValue = "127.0.0.1:4160",
            paramLabel = "HOST:PORT",
            description = "Where to serve the TCP protocol brokers register on.")
    String tcpAddress;

    @Option(
            names = "--http-address",
            defaultValue = "127.0.0.1:4161",
            paramLabel = "HOST:PORT",
            description = "Where to serve the HTTP API clients look brokers up on.")
    String httpAddress;

    @Option(
            names = "--broadcast-address",
            paramLabel = "HOST",
            description = "The address of this lookupd, as its IDENTIFY answer gives it (default: the host name).")
    String broadcastAddress;

    @Option(
            names = "--inactive-producer-timeout",
            defaultValue = "5m0s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "How long a broker stays listed after its last PING.")
    Duration inactiveProducerTimeout;

    @Option(
            names = "--tombstone-lifetime",
            defaultValue = "45s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "How long a tombstone keeps a broker's topic out of /lookup.")
    Duration tombstoneLifetime;

    /** The listeners' addresses, checked with the durations before anything opens. */
    private record Addresses(HostPort tcp, HostPort http) {}

    @Override
    public Integer call() throws InterruptedException {
        Addresses addresses;
        try {
            addresses = check();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ServiceRunner.prepare(spec, logLevel);
        return serve(spec.commandLine().getErr(), addresses);
    }

    /**
     * {@code ferry lookupd} read without picocli ({@link ServerFlagReader#readInto}), as {@link Main}
     * starts it: picocli's classes are Java 5 bytecode, which the JVM's AOT cache cannot hold linked,
     * and building its model of the command is most of a start's cost.
     *
     * @param args the arguments after {@code lookupd}
     * @param warnings where the option file's warnings go; the caller prints them only when it goes on
     *     with the start, since picocli prints them itself otherwise
     * @return the start (which serves until SIGTERM and returns the exit code), or empty when the
     *     command line asks for {@code --help} or {@code --version}
     * @throws IllegalArgumentException when a flag or its value is wrong: report it by running
     *     picocli's path, which words the error
     */
    static Optional<ServiceStart> read(List<String> args, Consumer<String> warnings) {
        LookupdCommand command = new LookupdCommand();
        List<FlagSpec> flags = FlagSpec.of(LookupdCommand.class);
        return ServerFlagReader.readInto(args, flags, command, warnings).map(given -> {
            Addresses addresses = command.check();
            return err -> {
                ServiceRunner.prepare(err, FlagSpec.ignoredLine(flags, given), given, command.logLevel);
                return command.serve(err, addresses);
            };
        });
    }

    /** Checks the flags as a whole; throws {@link IllegalArgumentException} naming what is wrong. */
    private Addresses check() {
        HostPort tcp = HostPort.parse("--tcp-address", tcpAddress);
        HostPort http = HostPort.parse("--http-address", httpAddress);
        positive("--inactive-producer-timeout", inactiveProducerTimeout);
        positive("--tombstone-lifetime", tombstoneLifetime);
        return new Addresses(tcp, http);
    }

    /** Starts both listeners, says where, then serves until SIGTERM; 0. */
    private int serve(PrintWriter err, Addresses addresses) throws InterruptedException {
        HostPort tcp = addresses.tcp();
        HostPort http = addresses.http();
        Listeners.checkFree(List.of(
                new Listeners.Listener("TCP", tcp, "--tcp-address"),
                new Listeners.Listener("HTTP", http, "--http-address")));
        LookupdServer server;
        try {
            server = LookupdServer.builder()
                    .tcpAddress(tcp.host(), tcp.port())
                    .httpAddress(http.host(), http.port())
                    .broadcastAddress(broadcastAddress)
                    .inactiveProducerTimeout(inactiveProducerTimeout)
                    .tombstoneLifetime(tombstoneLifetime)
                    .start();
        } catch (IllegalStateException e) {
            // a port taken since the check: the server's own sentence names the address
            throw new dev.ferry.FerryException(e.getMessage(), e);
        }
        err.printf("TCP: listening on %s:%d%n", tcp.host(), server.tcpPort());
        err.printf("HTTP: listening on %s:%d%n", http.host(), server.httpPort());
        err.flush();
        ServiceRunner.runUntilSigterm(err, "stopping", server::close);
        return 0;
    }

    private static void positive(String flag, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(flag + " must be positive, got " + GoDuration.format(value));
        }
    }

    /** After parsing: the line naming the flags given that Ferry ignores, and why; empty when none is. */
    Optional<String> ignoredFlagsLine() {
        return ServiceRunner.ignoredFlagsLine(spec);
    }
}
