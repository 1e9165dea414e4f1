package dev.ferry.server;

import java.io.PrintStream;
import java.util.OptionalInt;

/**
 * The {@code ferry} program's entry point (the jar's {@code Main-Class}): answers the commands that
 * must be quick without loading the command-line machinery, and hands every other command line to
 * {@link Ferry#main}.
 *
 * <p>Two are answered here: {@code ferry --version} (or {@code -V}) alone, and {@code ferry pub} in
 * its plain form ({@link QuickPub}). Each prints what the full command prints and exits with its
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
        Ferry.main(args);
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
