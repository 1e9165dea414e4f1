package dev.ferry.redis.busmq;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real node busmq 3.1 (from the npm registry, installed into target/busmq with the {@code
 * flexbuffer} override its ioredis needs) driven through {@code peer.js}: one process per call,
 * whose stdout lines are its results.
 */
final class NodeBusmq implements AutoCloseable {
    static final Path WORK = Path.of("target", "busmq");

    private static final String END = "\u0000end of output";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder all = new StringBuilder();

    private NodeBusmq(Process process) {
        this.process = process;
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (all) {
                        all.append(line).append('\n');
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("read failed: " + e);
            }
            lines.add(END);
        });
    }

    /** Installs busmq and the peer script (npm runs only the first time). */
    static synchronized void install() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "peer.js")) {
            try (InputStream in = NodeBusmq.class.getResourceAsStream("/busmq/" + file)) {
                Files.copy(in, WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!Files.isDirectory(WORK.resolve("node_modules/busmq"))) {
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(WORK.toFile())
                    .redirectErrorStream(true)
                    .start();
            String text = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
                throw new IllegalStateException("npm install of busmq failed:\n" + text);
            }
        }
    }

    /** Starts {@code node peer.js ARGS}. */
    static NodeBusmq start(String... args) throws IOException {
        return start(java.util.Map.of(), args);
    }

    /** Starts {@code node peer.js ARGS} with {@code env} added ({@code BUSMQ_DRIVER=node-redis}). */
    static NodeBusmq start(java.util.Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("node", "peer.js"));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        p.getOutputStream().close();
        return new NodeBusmq(p);
    }

    /** Runs {@code node peer.js ARGS} to its end; its last line. */
    static String run(String... args) throws IOException, InterruptedException {
        try (NodeBusmq node = start(args)) {
            return node.result();
        }
    }

    /** Waits for the line {@code "ready"}. */
    void awaitReady() throws InterruptedException {
        String line = lines.poll(30, TimeUnit.SECONDS);
        if (!"\"ready\"".equals(line)) {
            throw new IllegalStateException("node busmq was not ready: " + line + "\n" + output());
        }
    }

    /** Waits for the process to end successfully; its last line. */
    String result() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node busmq did not finish in 60 s:\n" + output());
        }
        // the reader may still be taking the last lines
        String last = null;
        String line;
        while ((line = lines.poll(10, TimeUnit.SECONDS)) != null && !line.equals(END)) {
            last = line;
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("node busmq failed with " + process.exitValue() + ":\n" + output());
        }
        return last;
    }

    private String output() {
        synchronized (all) {
            return all.toString();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
