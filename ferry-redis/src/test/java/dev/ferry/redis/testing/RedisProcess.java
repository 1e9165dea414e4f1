package dev.ferry.redis.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One real {@code redis-server} or {@code redis-sentinel} process on a free loopback port, in a
 * temporary directory of its own, its output in {@code redis.log} there. Started by {@link
 * RedisProcesses}, which stops it with the test.
 */
public final class RedisProcess {
    private final String kind;
    private final int port;
    private final Path dir;
    private final List<String> command;
    private Process process;

    private RedisProcess(String kind, int port, Path dir, List<String> command) {
        this.kind = kind;
        this.port = port;
        this.dir = dir;
        this.command = command;
    }

    /** Starts {@code redis-server} on a free port with {@code extraArgs} ({@code --maxmemory 1mb}). */
    static RedisProcess server(Path dir, List<String> extraArgs) {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(
                "redis-server",
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                dir.resolve("redis.log").toString()));
        cmd.addAll(extraArgs);
        return new RedisProcess("redis-server", port, dir, cmd).start();
    }

    /**
     * Starts {@code redis-sentinel} on a free port watching each master of {@code masters} (name →
     * port), with a quorum of {@code quorum} and test-sized timeouts (down after 1 s).
     */
    static RedisProcess sentinel(Path dir, Map<String, Integer> masters, int quorum) {
        int port = freePort();
        Path conf = dir.resolve("sentinel.conf");
        List<String> lines = new ArrayList<>(
                List.of("port " + port, "bind 127.0.0.1", "dir " + dir, "logfile " + dir.resolve("redis.log")));
        masters.forEach((masterName, masterPort) -> lines.addAll(List.of(
                "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " " + quorum,
                "sentinel down-after-milliseconds " + masterName + " 1000",
                "sentinel failover-timeout " + masterName + " 5000",
                "sentinel parallel-syncs " + masterName + " 1")));
        lines.add("");
        try {
            Files.writeString(conf, String.join("\n", lines));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RedisProcess("redis-sentinel", port, dir, List.of("redis-sentinel", conf.toString())).start();
    }

    private RedisProcess start() {
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + kind + " (is it installed? .ci/run installs it)", e);
        }
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .failFast("the " + kind + " on port " + port + " exited; see " + dir, () -> !process.isAlive())
                .until(this::answersPing);
        return this;
    }

    /** The loopback port it listens on. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** {@code redis://127.0.0.1:port}. */
    public String uri() {
        return "redis://" + address();
    }

    /** Whether the process still runs. */
    public boolean alive() {
        return process.isAlive();
    }

    /** Kills it with SIGKILL and waits for it to be gone. */
    public void kill() {
        process.destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
    }

    /** Starts it again on the same port and directory (after {@link #kill}). */
    public RedisProcess restart() {
        if (process.isAlive()) {
            kill();
        }
        return start();
    }

    /** Sends one command in RESP and returns the first line of the answer (tests' own checks). */
    public String command(String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                out.append('$')
                        .append(a.getBytes(StandardCharsets.UTF_8).length)
                        .append("\r\n")
                        .append(a)
                        .append("\r\n");
            }
            OutputStream os = socket.getOutputStream();
            os.write(out.toString().getBytes(StandardCharsets.UTF_8));
            os.flush();
            return readLine(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("redis at " + address() + ": " + e.getMessage(), e);
        }
    }

    /** {@code INFO section}: the whole text of the answer. */
    public String info(String section) {
        return bulk("INFO", section);
    }

    /** Sends one command whose answer is a bulk string ({@code CLUSTER INFO}) and returns its text. */
    public String bulk(String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                out.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
            }
            socket.getOutputStream().write(out.toString().getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            String header = readLine(in);
            if (!header.startsWith("$")) {
                return header;
            }
            byte[] body = in.readNBytes(Integer.parseInt(header.substring(1)));
            return new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("redis at " + address() + ": " + e.getMessage(), e);
        }
    }

    private boolean answersPing() {
        try {
            String answer = command("PING");
            return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return kind + " on " + address() + " (" + dir + ")";
    }
}
