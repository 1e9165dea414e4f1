package dev.ferry.nsq.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Bus;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.NotSupportedException;
import dev.ferry.busmq.BusQueue;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.NsqTcpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code BusQueue} over {@code Bus.connect("host:4150")}, given no HTTP address: the client finds the
 * broker's HTTP API where nsqd's defaults put it (the TCP port + 1), and uses it only when that port's
 * {@code /info} names the same TCP port.
 */
class HttpAddressLearningTest {
    private static final int ATTEMPTS = 20;

    /** A broker on TCP port P and HTTP port P + 1 (two free neighbouring ports found at run time). */
    private record Neighbours(LocalEngine engine, NsqTcpServer tcp, NsqTcpServer http) implements AutoCloseable {
        static Neighbours start(int httpPortOffset, int infoTcpPortOffset) {
            LocalEngine engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
            Exception last = null;
            for (int i = 0; i < ATTEMPTS; i++) {
                int port = freePort();
                if (port >= 65534) {
                    continue;
                }
                NsqTcpServer.Builder servers = NsqTcpServer.builder(engine)
                        .queueState(true)
                        .info(Map.of("tcp_port", port + infoTcpPortOffset, "http_port", port + httpPortOffset));
                NsqTcpServer tcp = null;
                try {
                    tcp = servers.startTcp("127.0.0.1", port);
                    return new Neighbours(engine, tcp, servers.startHttp("127.0.0.1", port + httpPortOffset));
                } catch (Exception e) {
                    // a neighbour was taken meanwhile (Netty rethrows the bind's BindException as it is, or
                    // it comes as an IllegalStateException): try other ports
                    last = e;
                    if (tcp != null) {
                        tcp.close();
                    }
                }
            }
            engine.close();
            throw new IllegalStateException("no two free neighbouring ports in " + ATTEMPTS + " attempts", last);
        }

        String tcpAddress() {
            return "127.0.0.1:" + tcp.port();
        }

        @Override
        public void close() {
            http.close();
            tcp.close();
            engine.close();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldFindTheHttpApiNextToTheTcpPortOfTheBrokerItWasGiven() {
        try (Neighbours broker = Neighbours.start(1, 0);
                Bus bus = Bus.connect(broker.tcpAddress());
                BusQueue queue = BusQueue.of(bus, "jobs")) {
            assertThat(queue.attach(Duration.ofSeconds(30))).as("existed").isFalse();
            assertThat(queue.exists()).isTrue();
            queue.push("one");
            assertThat(queue.count()).isEqualTo(1);
        }
    }

    @Test
    void shouldNotTakeAnHttpApiThatSpeaksForAnotherTcpPort() {
        // the HTTP API next door says it belongs to another broker's TCP port
        try (Neighbours broker = Neighbours.start(1, 7);
                Bus bus = Bus.connect(broker.tcpAddress())) {
            String next = "127.0.0.1:" + (broker.tcp().port() + 1);
            assertThatThrownBy(() -> BusQueue.of(bus, "jobs").attach(Duration.ofSeconds(1)))
                    .isInstanceOf(NotSupportedException.class)
                    .hasMessageContaining("BusQueue attach")
                    .hasMessageContaining("nothing at " + next + " answered /info for TCP port "
                            + broker.tcp().port())
                    .hasMessageContaining(".nsqdHttp(");
        }
    }
}
