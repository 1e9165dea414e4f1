package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.ChannelStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ferry sub} and {@code consume} in a JVM of their own whose standard output is a pipe nobody
 * reads any more, as in {@code ferry sub t --channel c | true}: the message they could not write goes
 * back to the channel, and they end with exit 1 and one plain line on stderr.
 */
class BrokenOutputTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final CliBroker broker = new CliBroker();

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void shouldRequeueTheMessageSubCouldNotWriteAndExitWhenItsReaderIsGone() throws Exception {
        assertRequeuedAndFailed("sub", "piped", "--channel", "reader");
    }

    @Test
    void shouldRequeueTheMessageConsumeCouldNotWriteAndExitWhenItsReaderIsGone() throws Exception {
        assertRequeuedAndFailed("consume", "--topic", "piped", "--channel", "reader");
    }

    private void assertRequeuedAndFailed(String command, String... args) throws Exception {
        broker.publish("piped", "first");
        List<String> argv = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path"),
                Ferry.class.getName(),
                command,
                "--nsqd-tcp-address",
                broker.tcpAddress()));
        argv.addAll(List.of(args));
        Process child = new ProcessBuilder(argv).start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "(stderr lost: " + e + ")";
            }
        });
        // the reader of the pipe exits before reading anything
        child.getInputStream().close();
        try {
            boolean exited = child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (!exited) {
                child.destroyForcibly().waitFor();
            }
            String err = stderr.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(exited)
                    .as("%s ended by itself; stderr: %s", command, err)
                    .isTrue();
            assertThat(child.exitValue()).as(err).isEqualTo(Ferry.EXIT_FAILURE);
            assertThat(err)
                    .contains(command + ": ")
                    .contains("standard output is closed")
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
        } finally {
            child.destroyForcibly();
        }
        ChannelStats reader = await().atMost(WAIT)
                .until(
                        () -> broker.channel("piped", "reader").orElseThrow(),
                        c -> c.depth() == 1 && c.inFlight() == 0 && c.consumers() == 0);
        // requeued, not finished; it may have come back once more before the consumer left, and been
        // requeued again without a write
        assertThat(reader.requeueCount()).as("requeued, not finished").isPositive();
    }
}
