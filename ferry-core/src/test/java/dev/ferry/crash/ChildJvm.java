package dev.ferry.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link CrashChild} running in its own JVM (the same java binary and class path as the tests).
 * Its stdout goes to a file that one thread tails, handing each line to a {@link LineListener},
 * which may kill the child the moment a line arrives; stderr goes to a file as well. Both files sit
 * next to the data directory, outside it.
 *
 * <p>Every child started is registered until it is dead: {@link ChildJvms} kills the children of a
 * test after it, a shutdown hook kills any left when the test JVM exits, and the child itself halts
 * when its stdin (a pipe from this JVM) closes.
 */
final class ChildJvm implements AutoCloseable {
    /** Receives each stdout line of a child, on the child's reader thread. */
    @FunctionalInterface
    interface LineListener {
        void line(ChildJvm child, String line);
    }

    /** Linux reports a process killed by SIGKILL (9) with exit code 128 + 9. */
    static final int SIGKILL_EXIT = 137;

    private static final long TAIL_POLL_NANOS = 1_000_000;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "crash-child-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final Thread reader;
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private volatile long killedAtMillis;
    private volatile Throwable listenerFailure;

    private ChildJvm(String name, Process process, Path stdout, Path stderr, LineListener listener) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.reader = new Thread(() -> read(listener), "crash-child-reader-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Starts {@link CrashChild} with {@code key=value} arguments; its stdout and stderr go to {@code
     * <workDir>/<name>.out} and {@code .err}.
     */
    static ChildJvm start(Path workDir, String name, LineListener listener, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xmx512m");
        command.add("-XX:+UseParallelGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashChild.class.getName());
        command.addAll(args);
        Path stdout = workDir.resolve(name + ".out");
        Path stderr = workDir.resolve(name + ".err");
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return new ChildJvm(name, process, stdout, stderr, listener);
    }

    /**
     * Tails the child's stdout file. (Reading {@link Process#getInputStream()} instead would lose the
     * lines still in the pipe when the child dies: the JDK closes that stream as the process exits.)
     */
    private void read(LineListener listener) {
        byte[] chunk = new byte[64 * 1024];
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(stdout)) {
            while (true) {
                boolean dead = !process.isAlive();
                int n = in.read(chunk);
                if (n > 0) {
                    int start = 0;
                    for (int i = 0; i < n; i++) {
                        if (chunk[i] == '\n') {
                            partial.write(chunk, start, i - start);
                            deliver(listener, partial.toString(StandardCharsets.UTF_8));
                            partial.reset();
                            start = i + 1;
                        }
                    }
                    partial.write(chunk, start, n - start);
                } else if (dead) {
                    return; // a torn last line (none: each line is one write) is not a report
                } else {
                    LockSupport.parkNanos(TAIL_POLL_NANOS);
                }
            }
        } catch (IOException e) {
            listenerFailure = e;
        }
    }

    private void deliver(LineListener listener, String line) {
        lines.add(line);
        if (listenerFailure == null) {
            try {
                listener.line(this, line);
            } catch (RuntimeException | Error e) {
                listenerFailure = e;
                kill();
            }
        }
    }

    /** Sends SIGKILL (what {@link Process#destroyForcibly()} does on Linux). Idempotent. */
    void kill() {
        if (killedAtMillis == 0) {
            killedAtMillis = System.currentTimeMillis();
        }
        process.destroyForcibly();
    }

    /** The wall-clock time of the first {@link #kill()}, or 0. */
    long killedAtMillis() {
        return killedAtMillis;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until the child is dead and every line it wrote has been read, then checks that it died
     * of SIGKILL.
     */
    void awaitKilled() throws InterruptedException {
        boolean exited = process.waitFor(30, TimeUnit.SECONDS);
        assertThat(exited).as("child %s exited within 30 s of the kill", name).isTrue();
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(reader.isAlive()).as("reader of child %s done", name).isFalse();
        if (listenerFailure != null) {
            throw new AssertionError("reading or checking the lines of child " + name + " failed", listenerFailure);
        }
        assertThat(process.exitValue())
                .as("exit code of child %s (SIGKILL gives %d); its stderr:%n%s", name, SIGKILL_EXIT, stderrTail())
                .isEqualTo(SIGKILL_EXIT);
    }

    /** Every line read so far, in order. Complete once {@link #awaitKilled()} returned. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    Path stderrFile() {
        return stderr;
    }

    String stderrTail() {
        try {
            List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    String name() {
        return name;
    }

    /** Kills the child if it is still alive. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
