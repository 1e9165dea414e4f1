package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.BusConfig;
import dev.ferry.ChannelStats;
import dev.ferry.internal.engine.LocalEngine;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer that stops reading holds only what fits in the socket buffers: the broker stops
 * claiming messages for it, keeps the rest in the channel, and goes on serving everyone else.
 */
class SlowConsumerTest {
    private static final int MESSAGES = 400;
    private static final int SIZE = 64 * 1024;

    @TempDir
    Path dir;

    private static void command(DataOutputStream out, String line, byte[] body) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeInt(body.length);
            out.write(body);
        }
        out.flush();
    }

    private static byte[] frame(DataInputStream in) throws IOException {
        int size = in.readInt();
        in.readInt(); // the frame type: the test knows what comes
        byte[] data = new byte[size - 4];
        in.readFully(data);
        return data;
    }

    private static byte[] mpub(int count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(count);
        for (int i = 0; i < count; i++) {
            out.writeInt(SIZE);
            out.write(new byte[SIZE]);
        }
        return bytes.toByteArray();
    }

    @Test
    void shouldHoldBackMessagesFromAConsumerThatStopsReading() throws Exception {
        try (LocalEngine engine = LocalEngine.open(
                        BusConfig.embedded(dir).minFreeDiskBytes(0).build());
                NsqTcpServer server = NsqTcpServer.start(engine, "127.0.0.1", 0);
                Socket stalled = new Socket();
                Socket reader = new Socket("127.0.0.1", server.port());
                Socket producer = new Socket("127.0.0.1", server.port())) {
            stalled.setReceiveBufferSize(16 * 1024);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.port()));
            DataOutputStream sout = new DataOutputStream(stalled.getOutputStream());
            DataInputStream sin = new DataInputStream(stalled.getInputStream());
            command(sout, "  V2SUB big stalled\nRDY 2500\n", null);
            assertThat(new String(frame(sin), StandardCharsets.UTF_8)).isEqualTo("OK");
            // from here on the stalled consumer reads nothing

            DataOutputStream rout = new DataOutputStream(reader.getOutputStream());
            DataInputStream rin = new DataInputStream(reader.getInputStream());
            command(rout, "  V2SUB big reader\nRDY 100\n", null);
            assertThat(new String(frame(rin), StandardCharsets.UTF_8)).isEqualTo("OK");

            DataOutputStream pout = new DataOutputStream(producer.getOutputStream());
            DataInputStream pin = new DataInputStream(producer.getInputStream());
            command(pout, "  V2", null);
            for (int sent = 0; sent < MESSAGES; sent += 50) {
                command(pout, "MPUB big\n", mpub(50));
                assertThat(new String(frame(pin), StandardCharsets.UTF_8)).isEqualTo("OK");
            }

            // the other channel's consumer gets everything while the stalled one holds its share back
            for (int i = 0; i < MESSAGES; i++) {
                byte[] message = frame(rin);
                command(rout, "FIN " + new String(message, 10, 16, StandardCharsets.US_ASCII) + "\n", null);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel(engine, "reader").inFlight() == 0);

            ChannelStats held = channel(engine, "stalled");
            assertThat(held.inFlight() + held.depth()).isEqualTo(MESSAGES);
            // socket buffers (at most 4 MiB here) plus Netty's 64 KiB mark plus one claim of 256 KiB
            assertThat((long) held.inFlight() * SIZE).isLessThan(6L << 20);
            assertThat(held.depth()).isGreaterThan(MESSAGES / 2);
        }
    }

    private static ChannelStats channel(LocalEngine engine, String name) {
        return engine.stats("big").orElseThrow().channels().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
