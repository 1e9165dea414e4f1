package dev.ferry.nsq;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over real sockets on loopback, with a durable engine. */
class NsqTcpServerTest {
    @TempDir
    Path dir;

    @Test
    void shouldCarryAMessageFromOneClientToAnother() throws Exception {
        try (LocalEngine engine = LocalEngine.open(
                        EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build());
                NsqTcpServer server = NsqTcpServer.builder(engine).startTcp("127.0.0.1", 0);
                WireClient consumer = new WireClient(server.port());
                WireClient producer = new WireClient(server.port())) {
            assertThat(consumer.send("SUB events audit\nRDY 10\n", null)).isEqualTo("OK");
            assertThat(producer.send("PUB events\n", "hello")).isEqualTo("OK");

            WireClient.Frame message = consumer.read();
            assertThat(message.type()).isEqualTo(2);
            assertThat(message.body()).isEqualTo("hello");
            assertThat(consumer.send("FIN " + message.messageId() + "\nCLS\n", null))
                    .isEqualTo("CLOSE_WAIT");
            assertThat(done(engine.stats("events"))
                            .orElseThrow()
                            .channels()
                            .get(0)
                            .inFlight())
                    .isZero();
        }
    }
}
