package dev.ferry.nsq.internal.client;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.AuthSettings;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.TlsSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Ferry broker in this JVM on loopback: a durable engine, the TCP protocol and the HTTP API (which
 * answers lookupd's queries for itself). {@link #restart()} stops the sockets and opens them again
 * on the same ports over the same data directory.
 */
final class TestBroker implements AutoCloseable {
    private final Path dir;
    private final TlsSettings tls;
    private final AuthSettings auth;
    private final Clock clock;
    private LocalEngine engine;
    private NsqTcpServer tcp;
    private NsqTcpServer http;
    private int tcpPort;
    private int httpPort;

    TestBroker(Path dir) {
        this(dir, null, null);
    }

    TestBroker(Path dir, TlsSettings tls, AuthSettings auth) {
        this(dir, tls, auth, Clock.systemUTC());
    }

    /** A broker whose engine and connections run on {@code clock} (tests move it by hand). */
    TestBroker(Path dir, Clock clock) {
        this(dir, null, null, clock);
    }

    private TestBroker(Path dir, TlsSettings tls, AuthSettings auth, Clock clock) {
        this.dir = dir;
        this.tls = tls;
        this.auth = auth;
        this.clock = clock;
        start();
    }

    private void start() {
        engine = LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(), clock);
        Map<String, Object> info = new ConcurrentHashMap<>();
        NsqTcpServer.Builder servers = NsqTcpServer.builder(engine)
                .options(ServerOptions.defaults().withClock(clock))
                .tls(tls)
                .auth(auth)
                .info(info);
        tcp = servers.startTcp("127.0.0.1", tcpPort);
        http = servers.startHttp("127.0.0.1", httpPort);
        tcpPort = tcp.port();
        httpPort = http.port();
        info.put("broadcast_address", "127.0.0.1");
        info.put("hostname", "127.0.0.1");
        info.put("tcp_port", tcpPort);
        info.put("http_port", httpPort);
    }

    LocalEngine engine() {
        return engine;
    }

    String tcpAddress() {
        return "127.0.0.1:" + tcpPort;
    }

    String httpAddress() {
        return "127.0.0.1:" + httpPort;
    }

    /** Stops and starts again on the same ports and data. */
    void restart() {
        stop();
        start();
    }

    void stop() {
        http.close();
        tcp.close();
        engine.close();
    }

    @Override
    public void close() {
        stop();
    }
}
