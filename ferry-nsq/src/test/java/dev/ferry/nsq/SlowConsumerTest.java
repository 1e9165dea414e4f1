package dev.ferry.nsq;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.ChannelStats;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
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

    @Test
    void shouldHoldBackMessagesFromAConsumerThatStopsReading() throws Exception {
        try (LocalEngine engine = LocalEngine.open(
                        EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build());
                NsqTcpServer server = NsqTcpServer.builder(engine).startTcp("127.0.0.1", 0);
                WireClient stalled = new WireClient(server.port(), 16 * 1024);
                WireClient reader = new WireClient(server.port());
                WireClient producer = new WireClient(server.port())) {
            assertThat(stalled.send("SUB big stalled\nRDY 2500\n", null)).isEqualTo("OK");
            // from here on the stalled consumer reads nothing

            assertThat(reader.send("SUB big reader\nRDY 100\n", null)).isEqualTo("OK");
            for (int sent = 0; sent < MESSAGES; sent += 50) {
                producer.write(
                        "MPUB big\n",
                        WireClient.mpub(java.util.Collections.nCopies(50, new byte[SIZE])
                                .toArray(byte[][]::new)));
                assertThat(producer.read().text()).isEqualTo("OK");
            }

            // the other channel's consumer gets everything while the stalled one holds its share back
            for (int i = 0; i < MESSAGES; i++) {
                reader.write("FIN " + reader.read().messageId() + "\n", null);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel(engine, "reader").inFlight() == 0);

            ChannelStats held = channel(engine, "stalled");
            assertThat(held.inFlight() + held.depth()).isEqualTo(MESSAGES);
            // socket buffers (at most 4 MiB here) plus Netty's 64 KiB mark plus one claim of 256 KiB
            assertThat(held.inFlight() * SIZE).isLessThan(6L << 20);
            assertThat(held.depth()).isGreaterThan(MESSAGES / 2);
        }
    }

    private static ChannelStats channel(LocalEngine engine, String name) {
        return done(engine.stats("big")).orElseThrow().channels().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
