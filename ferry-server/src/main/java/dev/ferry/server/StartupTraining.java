package dev.ferry.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The training run behind the start-up cache that {@code bin/startup-cache} makes for {@code
 * bin/ferry}: a JVM started with JDK 25's {@code -XX:AOTCacheOutput} (or, on JDK 21–24, {@code
 * -XX:ArchiveClassesAtExit}) runs this program, and what it loads and links is what the cache keeps.
 * So it does what a start of {@code ferry} does: starts {@code ferry lookupd} and then {@code ferry
 * server}, registering with it, on free loopback ports,
 * answers {@code /ping}, publishes over HTTP and with {@code ferry pub}, consumes with {@code ferry
 * sub}, prints {@code ferry --version}, then stops the server as SIGTERM would. Given a certificate
 * and key, the server also serves TLS and answers {@code /ping} over it once: client libraries' test
 * suites start nsqd with {@code --tls-cert} and {@code --tls-key}, and TLS brings in several hundred
 * classes of its own.
 *
 * <p>Each command is started as {@link Main} starts it ({@code ferry server} through {@link
 * ServerFlagReader}, the others as {@link Ferry#main} builds them), so the cache holds the classes of
 * those paths and no others. Not for users; it exits 0 when every step worked and 1 (naming the step) when
 * one failed or hung for five minutes, and the cache is then not used.
 *
 * <p>Threads: the server runs on a thread of its own, as it would on picocli's; the steps run on
 * the main thread (the consumer on a second one, so that a step that hangs cannot hang the build).
 */
public final class StartupTraining {
    /** A guard against a step that hangs, not a performance bound: a loaded machine is slow. */
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);

    private static final Pattern LISTENING_TCP = Pattern.compile("TCP: listening on [^\\s]+:(\\d+)");
    private static final Pattern LISTENING_HTTP = Pattern.compile("HTTP: listening on [^\\s]+:(\\d+)");
    private static final Pattern LISTENING_HTTPS = Pattern.compile("HTTPS: listening on [^\\s]+:(\\d+)");
    private static final String TOPIC = "startup-training";

    private StartupTraining() {}

    /**
     * Runs the training.
     *
     * @param args an empty directory for the server's data, which the caller deletes; then, optionally,
     *     a PEM certificate and its key, with which the server also serves TLS (so that a start with
     *     nsqd's TLS flags finds its classes in the cache too)
     */
    public static void main(String[] args) {
        if (args.length != 1 && args.length != 3) {
            System.err.println("usage: StartupTraining DATA_DIRECTORY [TLS_CERT TLS_KEY]");
            Runtime.getRuntime().halt(2);
        }
        try {
            train(args[0], args.length == 3 ? List.of(args[1], args[2]) : List.of());
        } catch (Exception e) {
            System.err.println("startup training failed: " + e.getMessage());
            e.printStackTrace();
            // no shutdown hooks: the server's would turn this into a clean stop with status 0
            Runtime.getRuntime().halt(1);
        }
        // as on SIGTERM: the server's shutdown hook closes it, then ends the process with 0
        System.exit(0);
    }

    private static void train(String dataPath, List<String> tls) throws Exception {
        // ferry lookupd first, as Main starts it, and the server registers with it
        StringBuffer lookupdSaid = new StringBuffer();
        Thread lookupd = new Thread(
                () -> lookupd(new PrintWriter(new TeeWriter(lookupdSaid), true)), "startup-training-lookupd");
        lookupd.setDaemon(true);
        lookupd.start();
        int lookupdTcpPort = awaitPort(lookupdSaid, LISTENING_TCP, lookupd);
        int lookupdHttpPort = awaitPort(lookupdSaid, LISTENING_HTTP, lookupd);
        awaitPing(lookupdHttpPort, lookupd);

        List<String> serverArgs = new java.util.ArrayList<>(List.of(
                "--tcp-address",
                "127.0.0.1:0",
                "--http-address",
                "127.0.0.1:0",
                "--data-path",
                dataPath,
                "--lookupd-tcp-address",
                "127.0.0.1:" + lookupdTcpPort));
        if (!tls.isEmpty()) {
            serverArgs.addAll(
                    List.of("--tls-cert", tls.get(0), "--tls-key", tls.get(1), "--https-address", "127.0.0.1:0"));
        }
        // ports 0: the server picks free ones and names them in its "listening on" lines
        StringBuffer said = new StringBuffer();
        Thread server = new Thread(
                () -> serve(new PrintWriter(new TeeWriter(said), true), serverArgs), "startup-training-server");
        server.setDaemon(true);
        server.start();
        int tcpPort = awaitPort(said, LISTENING_TCP, server);
        int httpPort = awaitPort(said, LISTENING_HTTP, server);
        String tcp = "127.0.0.1:" + tcpPort;
        awaitPing(httpPort, server);
        if (!tls.isEmpty()) {
            int httpsPort = awaitPort(said, LISTENING_HTTPS, server);
            step("GET /ping over TLS", () -> httpsPing(httpsPort));
        }

        expectOk(httpPort, "POST", "/topic/create?topic=" + TOPIC, "");
        expectOk(httpPort, "POST", "/channel/create?topic=" + TOPIC + "&channel=c", "");
        expectOk(httpPort, "POST", "/pub?topic=" + TOPIC, "over http");
        expectOk(httpPort, "GET", "/stats?format=json", "");
        awaitLookup(lookupdHttpPort, lookupd);
        step("ferry pub", () -> run("pub", "--nsqd-tcp-address", tcp, TOPIC, "one", "two"));
        step(
                "ferry pub, plain form",
                () -> QuickPub.run(
                                new String[] {"pub", "--nsqd-tcp-address", tcp, TOPIC, "three"},
                                new PrintStream(OutputStream.nullOutputStream()))
                        .orElse(1));
        step("ferry sub", () -> run("sub", "--nsqd-tcp-address", tcp, "--channel", "c", "--count", "4", TOPIC));
        step(
                "ferry --version",
                () -> Ferry.printVersion(new String[] {"--version"}, new PrintStream(OutputStream.nullOutputStream()))
                        ? 0
                        : 1);
    }

    /**
     * Runs {@code ferry server} with {@code args} in this JVM as {@link Main} starts it (through {@link
     * ServerFlagReader}, without picocli), until the training's end.
     */
    private static void serve(PrintWriter err, List<String> args) {
        try {
            ServerFlagReader.read(args, err::println)
                    .orElseThrow(() -> new IllegalStateException("ferry server took its flags for a request for help"))
                    .run(err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code ferry lookupd} on free loopback ports in this JVM as {@link Main} starts it, until the training's end. */
    private static void lookupd(PrintWriter err) {
        try {
            LookupdCommand.read(List.of("--tcp-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"), err::println)
                    .orElseThrow(() -> new IllegalStateException("ferry lookupd took its flags for a request for help"))
                    .run(err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until lookupd lists the server under the training's topic (the server registers it meanwhile). */
    private static void awaitLookup(int lookupdHttpPort, Thread lookupd) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (status(lookupdHttpPort, "GET", "/lookup?topic=" + TOPIC, "") != 200) {
            if (!lookupd.isAlive()) {
                throw new IllegalStateException("ferry lookupd ended before the server registered");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "ferry lookupd did not list the server within " + STEP_TIMEOUT.toSeconds() + " s");
            }
            lookupd.join(10); // a pause between looks, cut short if lookupd ends
        }
    }

    /** Runs a ferry command line in this JVM, as {@link Ferry#main} would, its output discarded. */
    private static int run(String... args) {
        return run(new PrintWriter(System.err, true), args);
    }

    private static int run(PrintWriter err, String... args) {
        CommandLine cmd = Ferry.commandLine(args);
        cmd.setOut(new PrintWriter(Writer.nullWriter()));
        cmd.setErr(err);
        return cmd.execute(args);
    }

    /** What the server prints, kept to be read and passed on to standard error (the training's log). */
    private static final class TeeWriter extends Writer {
        private final StringBuffer kept;

        TeeWriter(StringBuffer kept) {
            this.kept = kept;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            kept.append(chars, offset, length);
            System.err.print(new String(chars, offset, length));
        }

        @Override
        public void flush() {
            System.err.flush();
        }

        @Override
        public void close() {}
    }

    /** The port of the server's line that {@code pattern} matches, once it has printed it. */
    private static int awaitPort(StringBuffer said, Pattern pattern, Thread server) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (true) {
            Matcher m = pattern.matcher(said);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!server.isAlive()) {
                throw new IllegalStateException("ferry server ended before listening: " + said);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "ferry server did not listen within " + STEP_TIMEOUT.toSeconds() + " s: " + said);
            }
            server.join(10); // a pause between looks, cut short if the server ends
        }
    }

    /** Runs a command that should exit 0, within {@link #STEP_TIMEOUT}. */
    private static void step(String name, java.util.function.IntSupplier command) throws Exception {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread thread = new Thread(() -> exit.complete(command.getAsInt()), "startup-training-step");
        thread.setDaemon(true);
        thread.start();
        int code;
        try {
            code = exit.get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " did not finish within " + STEP_TIMEOUT.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + " failed: " + e.getCause(), e.getCause());
        }
        if (code != 0) {
            throw new IllegalStateException(name + " exited with " + code);
        }
    }

    private static void awaitPing(int httpPort, Thread server) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (true) {
            try {
                if (status(httpPort, "GET", "/ping", "") == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!server.isAlive()) {
                throw new IllegalStateException("ferry server ended before answering /ping");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "ferry server did not answer /ping within " + STEP_TIMEOUT.toSeconds() + " s");
            }
            server.join(10); // a pause between attempts, cut short if the server ends
        }
    }

    /** GET /ping over TLS (the server's certificate taken on trust); 0 when it answers 200. */
    private static int httpsPing(int port) {
        try {
            javax.net.ssl.SSLContext trusting = javax.net.ssl.SSLContext.getInstance("TLS");
            trusting.init(
                    null, io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            try (Socket socket = trusting.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout((int) STEP_TIMEOUT.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write("GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                return answer.startsWith("HTTP/1.1 200") || answer.startsWith("HTTP/1.0 200") ? 0 : 1;
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("GET /ping over TLS failed: " + e, e);
        }
    }

    private static void expectOk(int port, String method, String target, String body) throws IOException {
        int status = status(port, method, target, body);
        if (status != 200) {
            throw new IllegalStateException(method + " " + target + " answered " + status);
        }
    }

    /** One HTTP/1.0 request on a socket of its own; the status code of the answer. */
    private static int status(int port, String method, String target, String body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout((int) STEP_TIMEOUT.toMillis());
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: " + content.length
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            String statusLine = answer.toString(StandardCharsets.ISO_8859_1)
                    .lines()
                    .findFirst()
                    .orElse("");
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[1].matches("\\d{3}")) {
                throw new IOException("not an HTTP answer: '" + statusLine + "'");
            }
            return Integer.parseInt(parts[1]);
        }
    }
}
