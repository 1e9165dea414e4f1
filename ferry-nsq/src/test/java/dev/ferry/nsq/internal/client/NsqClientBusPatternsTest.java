package dev.ferry.nsq.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.AckMode;
import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.DeadLetter;
import dev.ferry.SubscribeOptions;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import dev.ferry.testing.BusPatternsContract;
import dev.ferry.testing.MutableClock;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The patterns (ack modes, dead letters, event routing, request/reply) through the NSQ client
 * against a Ferry broker in this JVM, over loopback: the broker's engine, its connections and the
 * client share the test's clock.
 */
class NsqClientBusPatternsTest extends BusPatternsContract {
    @TempDir
    Path dir;

    private TestBroker broker;

    @Override
    protected Bus openBus(MutableClock clock) {
        broker = new TestBroker(dir, clock);
        return NsqBus.connect(ConnectOptions.nsqd(broker.tcpAddress())
                .nsqdHttp(broker.httpAddress())
                .socket(s -> s.reconnectBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200))))
                // go-nsq's pause after handler failures, test-sized (its default starts at 1 s)
                .flowControl(f -> f.failureBackoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100))))
                .clock(clock)
                .build());
    }

    @AfterEach
    void stopTheBroker() {
        bus.close(); // before its broker (the contract closes it again, which does nothing)
        broker.close();
    }

    @Test
    void shouldKeepTheBrokerFromFillingTheSlotsOfHandlersFinishedOnReceipt() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        bus.subscribe(
                "slots",
                "c",
                m -> {
                    running.incrementAndGet();
                    release.await(10, TimeUnit.SECONDS);
                    done.incrementAndGet();
                },
                SubscribeOptions.maxInFlight(2).withAckMode(AckMode.IMMEDIATE));
        IntStream.range(0, 6).forEach(i -> bus.publish("slots", bytes("m" + i)));
        await().until(() -> running.get() == 2);
        // both FINs processed: the RDY 0 sent before them is too, so nothing more can come
        await().until(() -> stats("slots", "c").inFlight() == 0);
        assertThat(stats("slots", "c").depth()).isEqualTo(4);
        assertThat(running.get()).isEqualTo(2);
        release.countDown();
        await().until(() -> done.get() == 6);
        await().until(() -> stats("slots", "c").depth() == 0);
    }

    @Test
    void shouldApplyTheDeadLetterSettingMadeThroughTheClientToAPlainNsqConsumer() throws IOException {
        bus.admin().createChannel("orders", "raw");
        bus.admin().setDeadLetter("orders", "raw", DeadLetter.after(2).to("orders.graveyard"));
        List<String> dead = collect("orders.graveyard", "inspect");
        bus.publish("orders", bytes("poison"));
        try (PlainConsumer consumer = new PlainConsumer(broker.tcpAddress(), "orders", "raw")) {
            for (int attempt = 1; attempt <= 2; attempt++) {
                byte[] m = consumer.nextMessage();
                assertThat(ByteView.attempts(m)).isEqualTo(attempt);
                assertThat(ByteView.body(m)).isEqualTo("poison");
                consumer.write("REQ " + ByteView.id(m) + " 0\n");
            }
            await().until(() -> dead.size() == 1);
        }
        assertThat(dead).containsExactly("poison");
        assertThat(stats("orders", "raw").deadLetterCount()).isEqualTo(1);
        assertThat(stats("orders", "raw").depth()).isZero();
    }

    /** The fields of a message frame's data: timestamp (8), attempts (2), id (16), body. */
    private static final class ByteView {
        static int attempts(byte[] m) {
            return ((m[8] & 0xff) << 8) | (m[9] & 0xff);
        }

        static String id(byte[] m) {
            return new String(m, 10, 16, StandardCharsets.US_ASCII);
        }

        static String body(byte[] m) {
            return new String(m, 26, m.length - 26, StandardCharsets.UTF_8);
        }
    }

    /** What any NSQ client does, by hand over a socket: SUB, RDY 1, read messages. */
    private static final class PlainConsumer implements AutoCloseable {
        private final Socket socket = new Socket();
        private final DataOutputStream out;
        private final DataInputStream in;

        PlainConsumer(String address, String topic, String channel) throws IOException {
            HostPort hp = HostPort.parse(address);
            socket.connect(new InetSocketAddress(hp.host(), hp.port()));
            socket.setSoTimeout(10_000);
            out = new DataOutputStream(socket.getOutputStream());
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out.write("  V2".getBytes(StandardCharsets.US_ASCII));
            write("SUB " + topic + " " + channel + "\n");
            assertThat(new String(next(0), StandardCharsets.UTF_8)).isEqualTo("OK");
            write("RDY 1\n");
        }

        void write(String line) throws IOException {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        byte[] nextMessage() throws IOException {
            return next(2);
        }

        /** The data of the next frame of {@code type}, answering heartbeats on the way. */
        private byte[] next(int type) throws IOException {
            for (; ; ) {
                int size = in.readInt();
                int got = in.readInt();
                byte[] data = new byte[size - 4];
                in.readFully(data);
                if (got == 0 && new String(data, StandardCharsets.UTF_8).equals("_heartbeat_")) {
                    write("NOP\n");
                } else if (got == type) {
                    return data;
                } else {
                    throw new AssertionError("expected a frame of type " + type + ", got " + got + ": "
                            + new String(data, StandardCharsets.UTF_8));
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
