package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client ({@code Bus.connect}) against {@code ferry server} in a child JVM that is killed
 * with SIGKILL under a running producer and consumer, then started again on the same port and data:
 * every publish the broker acknowledged is consumed, and consumption resumes by itself.
 */
class ClientCrashTest {
    private static final Pattern LISTENING = Pattern.compile("TCP: listening on [^:]+:(\\d+)");

    @TempDir
    Path dir;

    /** Starts {@code ferry server} on {@code port} (0: any) and returns it with the port it took. */
    private record Server(Process process, int port) {}

    private Server startServer(int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Ferry.class.getName(),
                        "server",
                        "--tcp-address=127.0.0.1:" + port,
                        "--http-address=127.0.0.1:0",
                        "--data-path=" + dir)
                .redirectErrorStream(true)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("ferry server ended without listening");
        });
        int tcp = listening.get(60, TimeUnit.SECONDS);
        // keep draining its output so that it never blocks on a full pipe
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (java.io.IOException e) {
                // the process is gone
            }
        });
        return new Server(process, tcp);
    }

    @Test
    void shouldLoseNothingAcknowledgedWhenTheBrokerIsKilledAndResumeAfterItsRestart() throws Exception {
        Server server = startServer(0);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> consumed = ConcurrentHashMap.newKeySet();
        AtomicBoolean producing = new AtomicBoolean(true);
        ConnectOptions options = ConnectOptions.nsqd("127.0.0.1:" + server.port())
                .socket(s -> s.reconnectBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300))))
                .timeouts(t -> t.heartbeatInterval(Duration.ofSeconds(1)))
                .timeouts(t -> t.responseTimeout(Duration.ofSeconds(3)))
                .build();
        try (Bus bus = NsqBus.connect(options)) {
            bus.subscribe(
                    "crash",
                    "c",
                    m -> consumed.add(new String(m.body(), StandardCharsets.UTF_8)),
                    SubscribeOptions.maxInFlight(50));
            Thread producer = Thread.ofPlatform().start(() -> {
                for (int i = 0; producing.get(); i++) {
                    String body = "m" + i;
                    try {
                        bus.publish("crash", body.getBytes(StandardCharsets.UTF_8));
                        acknowledged.add(body);
                    } catch (RuntimeException e) {
                        // not acknowledged: it may or may not be stored; pace the retries while the
                        // broker is down
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                    }
                }
            });
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> acknowledged.size() >= 500 && consumed.size() >= 200);
                server.process().destroyForcibly(); // SIGKILL
                assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                int ackedAtKill = acknowledged.size();
                server = startServer(server.port());
                // publishing and consuming resume by themselves
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= ackedAtKill + 500);
            } finally {
                producing.set(false);
                producer.join();
            }
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(consumed).containsAll(acknowledged));
        } finally {
            server.process().destroy();
            server.process().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
