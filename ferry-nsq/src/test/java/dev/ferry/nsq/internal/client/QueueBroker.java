package dev.ferry.nsq.internal.client;

import dev.ferry.Bus;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.NsqTcpServer;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A Ferry broker on loopback whose engine runs on a given clock, serving the {@code /queue/*}
 * endpoints (or not, to stand for a plain nsqd), and a bus connected to it over TCP and HTTP.
 */
final class QueueBroker implements AutoCloseable {
    private final LocalEngine engine;
    private final NsqTcpServer tcp;
    private final NsqTcpServer http;

    QueueBroker(Path dir, Clock clock, boolean queueRoutes) {
        engine = LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(), clock);
        NsqTcpServer.Builder servers = NsqTcpServer.builder(engine).queueState(queueRoutes);
        tcp = servers.startTcp("127.0.0.1", 0);
        http = servers.startHttp("127.0.0.1", 0);
    }

    Bus connect() {
        return NsqBus.connect(ConnectOptions.nsqd("127.0.0.1:" + tcp.port())
                .nsqdHttp("127.0.0.1:" + http.port())
                .build());
    }

    String httpAddress() {
        return "127.0.0.1:" + http.port();
    }

    LocalEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        http.close();
        tcp.close();
        engine.close();
    }
}
