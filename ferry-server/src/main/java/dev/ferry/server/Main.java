package dev.ferry.server;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * The {@code ferry} program's entry point (the jar's {@code Main-Class}): answers the commands that
 * must be quick without loading the command-line machinery, and hands every other command line to
 * {@link Ferry#main}.
 *
 * <p>Four are answered here: {@code ferry --version} (or {@code -V}) alone, {@code ferry pub} in its
 * plain form ({@link QuickPub}), and {@code ferry server} and {@code ferry lookupd} unless they ask for
 * help or have a usage error ({@link ServerFlagReader}, {@link LookupdCommand#read}). Each prints what the full command prints and exits with its
 * code; whatever they do not cover (another flag, standard input, a refusal, an error to explain)
 * goes to the full command, so its messages stay the only ones. The point is the start: picocli's
 * classes are Java 5 bytecode, which the JVM's AOT cache cannot hold linked, and the full {@code pub}
 * brings Netty's client up for one message.
 */
public final class Main {
    private Main() {}

    /**
     * Runs {@code ferry} with {@code args} and exits with its exit code.
     *
     * @param args the command line, as {@code ferry} takes it
     */
    public static void main(String[] args) {
        // Netty's JFR events (buffer allocation) load jdk.jfr as Netty starts; -Dio.netty.jfr.enabled=true
        // brings them back for a profiling session
        System.getProperties().putIfAbsent("io.netty.jfr.enabled", "false");
        if (printVersion(args, System.out)) {
            System.exit(0);
        }
        if (args.length > 0 && args[0].equals("pub")) {
            OptionalInt status = QuickPub.run(args, System.err);
            if (status.isPresent()) {
                System.exit(status.getAsInt());
            }
        }
        if (args.length > 0 && args[0].equals("server")) {
            serveWithoutPicocli(args, ServerFlagReader::read);
        }
        if (args.length > 0 && args[0].equals("lookupd")) {
            serveWithoutPicocli(args, LookupdCommand::read);
        }
        Ferry.main(args);
    }

    /** Reads a service's command line (after its name) without picocli; see {@link ServerFlagReader#read}. */
    @FunctionalInterface
    private interface QuickReader {
        Optional<? extends ServiceStart> read(List<String> args, Consumer<String> warnings);
    }

    /**
     * {@code ferry server} or {@code ferry lookupd} read without picocli: serves and exits with its
     * code, or returns when the command line is for picocli to answer (help, a usage error).
     */
    private static void serveWithoutPicocli(String[] args, QuickReader reader) {
        List<String> warnings = new ArrayList<>();
        Optional<? extends ServiceStart> start;
        try {
            start = reader.read(Arrays.asList(args).subList(1, args.length), warnings::add);
        } catch (IllegalArgumentException usageError) {
            return; // picocli reads the command line again and reports the error in its words
        }
        if (start.isPresent()) {
            runService(warnings, start.get());
        }
    }

    /** Prints the option file's warnings, runs a service started without picocli, and exits with its code. */
    private static void runService(List<String> warnings, ServiceStart service) {
        PrintWriter err = new PrintWriter(System.err, true);
        warnings.forEach(err::println);
        int status;
        try {
            status = service.run(err);
        } catch (Exception e) {
            // as Ferry's handler of a command that fails at run time: one line, a stack trace only
            // for what looks like a bug
            err.println("ferry: " + e.getMessage());
            if (!(e instanceof dev.ferry.FerryException)) {
                e.printStackTrace(err);
            }
            err.flush();
            status = Ferry.EXIT_FAILURE;
        }
        System.exit(status);
    }

    /**
     * {@code ferry --version} (or {@code -V}) alone: prints the version lines as picocli would.
     *
     * @return whether {@code args} asked for the version (and it was printed)
     */
    static boolean printVersion(String[] args, PrintStream out) {
        if (args.length != 1 || !(args[0].equals("--version") || args[0].equals("-V"))) {
            return false;
        }
        for (String line : VersionText.lines()) {
            out.println(line);
        }
        out.flush();
        return true;
    }
}
