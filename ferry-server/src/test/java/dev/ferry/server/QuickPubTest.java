package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * {@code ferry pub}'s plain form on a plain socket ({@link QuickPub}) against a real broker: it
 * publishes and prints what the full command prints, and leaves every other form, and a first message
 * the broker refuses, to the full command without having published anything.
 */
class QuickPubTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private OptionalInt run(String... args) {
        return QuickPub.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPublishEachMessageInOrderAndSaySo() {
        try (CliBroker broker = new CliBroker()) {
            assertThat(run("pub", "--nsqd-tcp-address", broker.tcpAddress(), "orders", "one", "two", "three"))
                    .hasValue(0);
            assertThat(err()).startsWith("pub: 3 messages in ").contains(" to orders on " + broker.tcpAddress());

            CliBroker.Run sub = broker.run("sub", "orders", "--channel", "c", "--count", "3");
            assertThat(sub.code()).as(sub.err()).isZero();
            assertThat(sub.lines()).containsExactly("one", "two", "three");
        }
    }

    @Test
    void shouldTakeTheAddressInEitherForm() {
        try (CliBroker broker = new CliBroker()) {
            assertThat(run("pub", "-nsqd-tcp-address=" + broker.tcpAddress(), "orders", "one"))
                    .hasValue(0);
            assertThat(broker.topic("orders").orElseThrow().messageCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldLeaveEveryOtherFormToTheFullCommand() {
        for (List<String> args : List.of(
                List.of("pub", "orders"),
                List.of("pub", "--report-interval", "1s", "orders", "x"),
                List.of("pub", "not a topic!", "x"),
                List.of("pub", "orders", ""),
                List.of("pub", "orders", "--help"),
                List.of("pub", "--nsqd-tcp-address", "127.0.0.1:1", "--nsqd-tcp-address", "127.0.0.1:2", "t", "x"),
                List.of("pub", "--lookupd-http-address", "127.0.0.1:4161", "orders", "x"),
                List.of("pub", "--nsqd-tcp-address", "no-port", "orders", "x"))) {
            assertThat(run(args.toArray(String[]::new))).as(args.toString()).isEmpty();
        }
        assertThat(err()).isEmpty();
    }

    @Test
    void shouldLeaveABrokerItCannotReachToTheFullCommand() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertThat(run("pub", "--nsqd-tcp-address", "127.0.0.1:" + closedPort, "orders", "x"))
                .isEmpty();
        assertThat(err()).isEmpty();
    }

    @Test
    void shouldLeaveARefusedFirstMessageToTheFullCommandHavingPublishedNothing() {
        try (CliBroker small = new CliBroker(CliBroker.maxMsgSize(10_000))) {
            assertThat(run("pub", "--nsqd-tcp-address", small.tcpAddress(), "big", "y".repeat(20_000), "ok"))
                    .isEmpty();
            assertThat(small.topic("big").map(t -> t.messageCount()).orElse(0L)).isZero();
        }
    }

    @Test
    void shouldNameARefusalAfterTheFirstAsTheFullCommandDoes() {
        try (CliBroker small = new CliBroker(CliBroker.maxMsgSize(10_000))) {
            assertThat(run("pub", "--nsqd-tcp-address", small.tcpAddress(), "big", "ok", "y".repeat(20_000)))
                    .hasValue(Ferry.EXIT_FAILURE);
            assertThat(err())
                    .contains("ferry: pub to big failed after 1 messages")
                    .contains("a message of 20000 bytes is over the broker's maximum message size of 10000 bytes")
                    .contains("ferry server --max-msg-size=20000");
            assertThat(small.topic("big").orElseThrow().messageCount()).isEqualTo(1);
        }
    }
}
