package dev.ferry.server;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code ferry server} and {@code ferry lookupd} do around their service: before it starts, name
 * the ignored flags given and apply {@code --log-level}; once it listens, hold the command's thread
 * until SIGTERM (or Ctrl-C), then close the service and exit 0.
 *
 * <p>Threads: the command's thread calls {@link #prepare} and {@link #runUntilSigterm} and blocks in
 * the latter; the JVM's shutdown hook thread wakes it and waits (up to 30 s) for it to close
 * everything before halting with status 0.
 */
final class ServiceRunner {
    private ServiceRunner() {}

    /**
     * After parsing, before the first logger is made: prints the line naming the flags given that Ferry
     * ignores, if any, and sets slf4j-simple's level when {@code --log-level} was given.
     */
    static void prepare(CommandSpec spec, ServerFlags.LogLevel logLevel) {
        Map<String, List<String>> given = FlagSpec.given(spec.commandLine().getParseResult());
        prepare(spec.commandLine().getErr(), FlagSpec.ignoredLine(FlagSpec.of(spec), given), given, logLevel);
    }

    /**
     * {@link #prepare(CommandSpec, ServerFlags.LogLevel)} without picocli's model.
     *
     * @param ignoredLine the line naming the ignored flags given, if any
     * @param given the flags given, by canonical name
     */
    static void prepare(
            PrintWriter err,
            Optional<String> ignoredLine,
            Map<String, List<String>> given,
            ServerFlags.LogLevel logLevel) {
        ignoredLine.ifPresent(err::println);
        if (given.containsKey("--log-level")) {
            // before the first logger is made: slf4j-simple reads its level once
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", logLevel.slf4jLevel());
        }
    }

    /** After parsing: the line naming the flags given that Ferry ignores, and why; empty when none is. */
    static Optional<String> ignoredFlagsLine(CommandSpec spec) {
        return FlagSpec.ignoredLine(
                FlagSpec.of(spec), FlagSpec.given(spec.commandLine().getParseResult()));
    }

    /**
     * Blocks until SIGTERM, then prints {@code stopping} on {@code err} and runs {@code close} on this
     * thread. On SIGTERM the process then ends with 0, the status of a clean stop.
     *
     * @throws InterruptedException when this thread is interrupted while waiting
     */
    static void runUntilSigterm(PrintWriter err, String stopping, Runnable close) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicBoolean signalled = new AtomicBoolean();
        // SIGTERM runs the shutdown hooks: ours lets this thread close everything in order, then
        // ends the process with 0
        Thread hook = new Thread(
                () -> {
                    signalled.set(true);
                    stopped.countDown();
                    try {
                        closed.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    Runtime.getRuntime().halt(0);
                },
                "ferry-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        err.println(stopping);
        err.flush();
        close.run();
        closed.countDown();
        if (!signalled.get()) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }
}
