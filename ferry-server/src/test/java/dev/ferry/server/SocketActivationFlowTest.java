package dev.ferry.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-demand consumer flow on one machine, with real processes where systemd would run them:
 * producer → broker → {@code ferry wakeup} → a {@code ferry consume --socket-activated} started by
 * {@code systemd-socket-activate} on a unix socket, which drains its channel, exits after its idle
 * timeout, and is started again by the next backlog. {@code systemd-socket-activate} starts its
 * program once, so a loop here re-arms it, as {@code make systemd-socket-activate-consumer} does.
 */
class SocketActivationFlowTest {
    private static final Path SOCKET_ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CliBroker broker;
    private ActivationLoop loop;
    private CompletableFuture<CliBroker.Run> wakeup;
    private Thread wakeupThread;

    @BeforeEach
    void start() {
        assumeThat(Files.isExecutable(SOCKET_ACTIVATE))
                .as("systemd-socket-activate (Debian package systemd; .ci/run installs it)")
                .isTrue();
        broker = new CliBroker();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (wakeupThread != null) {
            wakeupThread.interrupt();
        }
        if (loop != null) {
            loop.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Re-arms systemd-socket-activate each time the consumer it started exits. */
    private static final class ActivationLoop {
        private final List<String> command;
        private final Path out;
        private final Path err;
        private final List<Integer> exits = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean stopped;
        private volatile Process current;

        ActivationLoop(List<String> command, Path out, Path err) {
            this.command = command;
            this.out = out;
            this.err = err;
            this.thread = new Thread(this::run, "activation-loop");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                while (!stopped) {
                    Process p = new ProcessBuilder(command)
                            .redirectOutput(Redirect.appendTo(out.toFile()))
                            .redirectError(Redirect.appendTo(err.toFile()))
                            .start();
                    current = p;
                    if (stopped) {
                        p.destroy();
                    }
                    int code = p.waitFor();
                    if (!stopped) {
                        exits.add(code);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            stopped = true;
            Process p = current;
            if (p != null) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            thread.join(10_000);
        }
    }

    @Test
    void shouldStartTheConsumerOnABacklogLetItExitWhenIdleAndStartItAgain() throws Exception {
        done(broker.engine.createChannel("jobs", "workers")); // as the consumer's first run would have
        Path socket = dir.resolve("jobs/workers.sock");
        Files.createDirectories(socket.getParent());
        Path out = dir.resolve("consumer.out");
        Path err = dir.resolve("consumer.err");
        List<String> consumer = new ArrayList<>(List.of(
                SOCKET_ACTIVATE.toString(),
                "--listen=" + socket,
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path"),
                Ferry.class.getName(),
                "consume",
                "--nsqd-tcp-address",
                broker.tcpAddress(),
                "--topic",
                "jobs",
                "--channel",
                "workers",
                "--socket-activated",
                "--timeout",
                "1s",
                "--report-interval",
                "0"));
        loop = new ActivationLoop(consumer, out, err);
        await().atMost(WAIT).until(() -> Files.exists(socket)); // systemd-socket-activate listens

        wakeup = CompletableFuture.supplyAsync(
                () -> CliBroker.execute(
                        "wakeup",
                        "--nsqd-http-address",
                        broker.httpAddress(),
                        "--socket",
                        dir + "/{topic}/{channel}.sock",
                        "--interval",
                        "100ms",
                        "--min-wake-interval",
                        "300ms"),
                r -> {
                    wakeupThread = new Thread(r, "wakeup");
                    wakeupThread.setDaemon(true);
                    wakeupThread.start();
                });

        // a backlog: the wakeup connects, systemd-socket-activate starts the consumer, it drains and exits.
        // (On a loaded machine a consumer may idle out before its first message arrives; the next
        // wakeup starts it again, so the test counts what was printed and that every run exited 0.)
        CliBroker.Run produced =
                broker.run("produce", "--topic", "jobs", "--payload-keys", "1", "--count", "5", "--interval", "0");
        assertThat(produced.code()).as(produced.err()).isZero();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(Files.readAllLines(out)).as(Files.readString(err)).hasSize(5);
            assertThat(loop.exits)
                    .as("the consumer exited when idle")
                    .isNotEmpty()
                    .containsOnly(0);
            assertThat(broker.consumers("jobs", "workers")).isZero();
        });
        int runs = loop.exits.size();
        assertThat(broker.channel("jobs", "workers").orElseThrow().depth()).isZero();
        assertThat(Files.readString(err))
                .contains("consume: woken by a connection on descriptor 3 from LISTEN_FDS")
                .contains("consume: 5 messages in")
                .contains("no message for 1s, exiting");

        // the next backlog starts it again
        broker.run("produce", "--topic", "jobs", "--payload-keys", "1", "--count", "3", "--interval", "0");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(Files.readAllLines(out)).as(Files.readString(err)).hasSize(8);
            assertThat(loop.exits).hasSizeGreaterThan(runs).containsOnly(0);
        });
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(8);
        assertThat(lines.stream().map(l -> {
                    try {
                        return JSON.readTree(l).get("id").asText();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }))
                .as("every event once")
                .doesNotHaveDuplicates();
        assertThat(broker.channel("jobs", "workers").orElseThrow().depth()).isZero();
        assertThat(Files.readString(err)).containsPattern("(?s)(socket-activated on.*){2}");
        assertThat(wakeup).isNotDone(); // it polls until stopped
    }

    @Test
    void shouldTakeTheListeningSocketAsStandardInputAsWithStandardInputSocket() throws Exception {
        broker.publish("mail", "hello", "world");
        Path socket = dir.resolve("mail.sock");
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        // StandardInput=socket: the listening socket is descriptor 0 and there is no LISTEN_FDS
        Process consumer = new ProcessBuilder(
                        SOCKET_ACTIVATE.toString(),
                        "--listen=" + socket,
                        "/bin/sh",
                        "-c",
                        "exec env -u LISTEN_FDS -u LISTEN_PID \"$0\" \"$@\" <&3 3<&-",
                        javaCommand,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Ferry.class.getName(),
                        "consume",
                        "--nsqd-tcp-address",
                        broker.tcpAddress(),
                        "--topic",
                        "mail",
                        "--channel",
                        "reader",
                        "--socket-activated",
                        // long enough for a JVM to start and subscribe on a loaded machine: the
                        // idle time counts from the start
                        "--timeout",
                        "3s")
                .redirectError(Redirect.appendTo(dir.resolve("err").toFile()))
                .start();
        try {
            await().atMost(WAIT).until(() -> Files.exists(socket));
            try (SocketChannel wake = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                wake.connect(UnixDomainSocketAddress.of(socket));
            }
            String out = new String(consumer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(consumer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String err = Files.readString(dir.resolve("err"));
            assertThat(consumer.exitValue()).as(err).isZero();
            assertThat(out).isEqualTo("hello\nworld\n");
            assertThat(err).contains("consume: socket-activated on standard input (listening on " + socket + ")");
        } finally {
            consumer.destroyForcibly();
        }
    }
}
