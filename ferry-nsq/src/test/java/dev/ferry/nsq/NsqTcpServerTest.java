package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.BusConfig;
import dev.ferry.internal.engine.LocalEngine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over real sockets on loopback, with a durable engine. */
class NsqTcpServerTest {
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

    /** Reads one frame: its type and data. */
    private static Object[] frame(DataInputStream in) throws IOException {
        int size = in.readInt();
        int type = in.readInt();
        byte[] data = new byte[size - 4];
        in.readFully(data);
        return new Object[] {type, data};
    }

    @Test
    void shouldCarryAMessageFromOneClientToAnother() throws Exception {
        try (LocalEngine engine = LocalEngine.open(
                        BusConfig.embedded(dir).minFreeDiskBytes(0).build());
                NsqTcpServer server = NsqTcpServer.builder(engine).startTcp("127.0.0.1", 0);
                Socket consumer = new Socket("127.0.0.1", server.port());
                Socket producer = new Socket("127.0.0.1", server.port())) {
            DataOutputStream cout = new DataOutputStream(consumer.getOutputStream());
            DataInputStream cin = new DataInputStream(consumer.getInputStream());
            command(cout, "  V2SUB events audit\nRDY 10\n", null);
            Object[] ok = frame(cin);
            assertThat(new String((byte[]) ok[1], StandardCharsets.UTF_8)).isEqualTo("OK");

            DataOutputStream pout = new DataOutputStream(producer.getOutputStream());
            DataInputStream pin = new DataInputStream(producer.getInputStream());
            command(pout, "  V2PUB events\n", "hello".getBytes(StandardCharsets.UTF_8));
            assertThat(new String((byte[]) frame(pin)[1], StandardCharsets.UTF_8))
                    .isEqualTo("OK");

            Object[] message = frame(cin);
            assertThat(message[0]).isEqualTo(2);
            byte[] data = (byte[]) message[1];
            String id = new String(data, 10, 16, StandardCharsets.US_ASCII);
            assertThat(new String(data, 26, data.length - 26, StandardCharsets.UTF_8))
                    .isEqualTo("hello");
            command(cout, "FIN " + id + "\nCLS\n", null);
            assertThat(new String((byte[]) frame(cin)[1], StandardCharsets.UTF_8))
                    .isEqualTo("CLOSE_WAIT");
            assertThat(engine.stats("events").orElseThrow().channels().get(0).inFlight())
                    .isZero();
        }
    }
}
