package dev.ferry.server;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;

/**
 * The program's standard output as a writer that notices when it is gone. {@code System.out} is a
 * {@code PrintStream} that swallows write errors and keeps its own error flag, which a {@code
 * PrintWriter} over it never sees: a command writing to a pipe whose reader exited would go on as if
 * every line had been read. This writer goes straight to file descriptor 1, so a broken pipe ({@code
 * EPIPE}; the JVM ignores {@code SIGPIPE}) fails the write and {@link PrintWriter#checkError()}
 * answers {@code true} from then on.
 */
final class StandardOutput {
    private StandardOutput() {}

    /**
     * A new writer on file descriptor 1, in the console's encoding ({@code stdout.encoding}), flushing
     * at each {@code println}. Callers that must know whether a line reached the reader flush and then
     * call {@link PrintWriter#checkError()}.
     */
    static PrintWriter writer() {
        return new PrintWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), System.out.charset()), true);
    }
}
