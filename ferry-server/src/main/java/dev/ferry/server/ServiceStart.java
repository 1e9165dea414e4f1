package dev.ferry.server;

import java.io.PrintWriter;

/**
 * A service command ({@code ferry server}, {@code ferry lookupd}) whose flags are read and checked
 * without picocli, ready to start: {@link Main} runs it and exits with its code.
 */
@FunctionalInterface
interface ServiceStart {
    /**
     * Names the ignored flags given, starts the listeners, says where on {@code err}, then blocks
     * until SIGTERM and closes everything.
     *
     * @return the exit code: 0 after a clean stop
     * @throws dev.ferry.FerryException when the service cannot start (a port in use, say), before it
     *     serves
     * @throws InterruptedException when the thread is interrupted while serving
     */
    int run(PrintWriter err) throws InterruptedException;
}
