package dev.ferry.bench.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code ferry server} process started from {@code ferry.jar} on free loopback ports (port 0: the
 * server picks them and names them in its {@code listening on} lines) over a data directory. Its
 * output is appended to a log file, so a failed row can be read afterwards. Stopped with SIGTERM ({@link #stop}) or SIGKILL ({@link #kill}).
 */
final class Broker implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("(TCP|HTTP): listening on [^\\s]+:(\\d+)");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int tcpPort;
    private final int httpPort;
    private final List<String> lines;

    private Broker(Process process, int tcpPort, int httpPort, List<String> lines) {
        this.process = process;
        this.tcpPort = tcpPort;
        this.httpPort = httpPort;
        this.lines = lines;
    }

    /**
     * Starts {@code java -jar jar server} over {@code dataDir} with {@code extra} flags, its output
     * appended to {@code logFile}; waits 60 s at most.
     */
    static Broker start(Path jar, Path dataDir, Path logFile, List<String> jvmOptions, String... extra)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "server"));
        command.addAll(List.of("--tcp-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"));
        command.addAll(List.of("--data-path", dataDir.toString()));
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<int[]> ports = new CompletableFuture<>();
        Thread drain = new Thread(() -> drain(process, lines, logFile, ports), "broker-output");
        drain.setDaemon(true);
        drain.start();
        int[] p;
        try {
            p = ports.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("ferry server did not start: " + String.join(" | ", lines), e);
        }
        return new Broker(process, p[0], p[1], lines);
    }

    private static void drain(Process process, List<String> lines, Path logFile, CompletableFuture<int[]> ports) {
        int[] found = new int[2];
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter log = new PrintWriter(Files.newBufferedWriter(
                        logFile,
                        StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND))) {
            log.println("---- ferry server pid " + process.pid());
            for (String line; (line = out.readLine()) != null; ) {
                log.println(line);
                log.flush();
                if (lines.size() < 2000) {
                    lines.add(line);
                }
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    found[m.group(1).equals("TCP") ? 0 : 1] = Integer.parseInt(m.group(2));
                    if (found[0] != 0 && found[1] != 0) {
                        ports.complete(found.clone());
                    }
                }
            }
        } catch (IOException e) {
            lines.add("(output lost: " + e + ")");
        }
        ports.completeExceptionally(new IllegalStateException("ended without listening"));
    }

    int tcpPort() {
        return tcpPort;
    }

    int httpPort() {
        return httpPort;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** What the broker printed so far (its first 2,000 lines). */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The resident memory of the broker's process in bytes, from /proc (0 when unknown). */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** GET (body null) or POST on the HTTP port; the status and body, or -1 and the reason. */
    HttpAnswer http(String method, String pathAndQuery, byte[] body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + httpPort + pathAndQuery))
                    .timeout(Duration.ofSeconds(30));
            request.method(
                    method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new HttpAnswer(r.statusCode(), r.body());
        } catch (IOException | IllegalArgumentException e) {
            return new HttpAnswer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HttpAnswer(-1, "interrupted");
        }
    }

    /** An HTTP status and body. */
    record HttpAnswer(int status, String body) {}

    /** Whether {@code /ping} answers 200 OK. */
    boolean answersPing() {
        HttpAnswer a = http("GET", "/ping", null);
        return a.status() == 200;
    }

    /** SIGTERM, then the exit code (SIGKILL after 30 s). */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            return -9;
        }
        return process.exitValue();
    }

    /** SIGKILL, waiting until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
