package dev.ferry.nsq.testing;

import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.FederationKey;
import dev.ferry.nsq.FederationSettings;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.TlsSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * One site of a federation test: a Ferry broker on loopback (durable engine on the given clock, the
 * TCP protocol, the HTTP API with the queue state and federation, HTTPS too when TLS is given) and a
 * {@link CuttableProxy} in front of its HTTP (or HTTPS) port standing for the WAN link, through which
 * {@link #connect} reaches it.
 */
public final class FederatedSite implements AutoCloseable {
    private final LocalEngine engine;
    private final NsqTcpServer.Builder servers;
    private final NsqTcpServer tcp;
    private final NsqTcpServer http;
    private final NsqTcpServer https;
    private final CuttableProxy proxy;

    /** A site over {@code dir} accepting {@code federation}, plain {@code ws://}. */
    public FederatedSite(Path dir, Clock clock, FederationSettings federation) {
        this(dir, clock, federation, null);
    }

    /** A site over {@code dir} accepting {@code federation}; over {@code wss://} when {@code tls} is given. */
    public FederatedSite(Path dir, Clock clock, FederationSettings federation, TlsSettings tls) {
        engine = LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(), clock);
        servers = NsqTcpServer.builder(engine)
                .options(ServerOptions.defaults().withClock(clock))
                .tls(tls)
                .queueState(true)
                .federation(federation);
        tcp = servers.startTcp("127.0.0.1", 0);
        http = servers.startHttp("127.0.0.1", 0);
        https = tls == null ? null : servers.startHttps("127.0.0.1", 0);
        proxy = CuttableProxy.to("127.0.0.1", https == null ? http.port() : https.port());
    }

    /** The federation address through the proxy. */
    public String url() {
        return (https == null ? "ws" : "wss") + "://127.0.0.1:" + proxy.port() + "/federate";
    }

    /** The broker's own TCP address, bypassing the proxy. */
    public String tcpAddress() {
        return "127.0.0.1:" + tcp.port();
    }

    /** The broker's own HTTP address, bypassing the proxy. */
    public String httpAddress() {
        return "127.0.0.1:" + http.port();
    }

    /** The WAN link. */
    public CuttableProxy proxy() {
        return proxy;
    }

    /** The engine. */
    public LocalEngine engine() {
        return engine;
    }

    /** What the broker's federation refused, as logged. */
    public List<String> refusals() {
        return servers.federationRefusals();
    }

    /** A bus federated through the proxy with {@code key}, test-sized reconnects and heartbeats. */
    public Bus connect(FederationKey key, Clock clock) {
        return connect(key, clock, null, b -> {});
    }

    /** As {@link #connect(FederationKey, Clock)}, trusting {@code tls} (for wss) and tuned by {@code tune}. */
    public Bus connect(FederationKey key, Clock clock, SSLContext tls, Consumer<ConnectOptions.Builder> tune) {
        ConnectOptions.Builder options = ConnectOptions.nsqd(url())
                .security(s -> s.federationKey(key).tls(tls))
                .socket(s -> s.reconnectBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200))))
                .flowControl(f -> f.failureBackoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100))))
                .timeouts(t -> t.heartbeatInterval(Duration.ofSeconds(1)).responseTimeout(Duration.ofSeconds(5)))
                .clock(clock);
        tune.accept(options);
        return NsqBus.connect(options.build());
    }

    @Override
    public void close() {
        proxy.close();
        if (https != null) {
            https.close();
        }
        http.close();
        tcp.close();
        engine.close();
    }
}
