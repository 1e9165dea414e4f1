package dev.ferry.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code ferry} subcommand in a JVM of its own, for tests: started, its TCP and HTTP ports read from
 * its {@code listening on} lines, its output drained and kept, stopped with SIGTERM.
 */
final class FerryProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("(TCP|HTTP): listening on [^:]+:(\\d+)");

    private final Process process;
    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    private final int tcpPort;
    private final int httpPort;

    private FerryProcess(Process process, int tcpPort, int httpPort, List<String> lines) {
        this.process = process;
        this.tcpPort = tcpPort;
        this.httpPort = httpPort;
        this.lines.addAll(lines);
    }

    /** Starts {@code ferry args...} and waits (30 s at most) until it listens on TCP and HTTP. */
    static FerryProcess start(String... args) throws Exception {
        return start(Ferry.class, args);
    }

    /**
     * Starts {@code ferry args...} from {@code entryPoint} ({@link Ferry}, picocli's reading, or {@link
     * Main}, the jar's, which starts the services without picocli) and waits (30 s at most) until it
     * listens on TCP and HTTP.
     */
    static FerryProcess start(Class<?> entryPoint, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path"),
                entryPoint.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> early = new ArrayList<>();
        CompletableFuture<int[]> ports = CompletableFuture.supplyAsync(() -> {
            int[] found = new int[2];
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    early.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        found[m.group(1).equals("TCP") ? 0 : 1] = Integer.parseInt(m.group(2));
                        if (found[0] != 0 && found[1] != 0) {
                            return found;
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException(String.join(" ", args) + " ended without listening: " + early);
        });
        int[] p;
        try {
            p = ports.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
        FerryProcess started = new FerryProcess(process, p[0], p[1], early);
        // keep reading, so that the child never blocks on a full pipe
        Thread drain = new Thread(
                () -> {
                    try {
                        for (String line; (line = out.readLine()) != null; ) {
                            started.lines.add(line);
                        }
                    } catch (IOException e) {
                        started.lines.add("(output lost: " + e + ")");
                    }
                },
                "ferry-process-output");
        drain.setDaemon(true);
        drain.start();
        return started;
    }

    int tcpPort() {
        return tcpPort;
    }

    int httpPort() {
        return httpPort;
    }

    /** What the process printed so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Sends SIGTERM and returns the exit code (waiting 30 s at most, then killing it). */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("did not stop within 30 s of SIGTERM: " + lines());
        }
        return process.exitValue();
    }

    /** Kills it with SIGKILL and waits (30 s at most) until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("still alive 30 s after SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
