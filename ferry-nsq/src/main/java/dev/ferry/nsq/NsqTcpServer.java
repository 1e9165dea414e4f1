package dev.ferry.nsq;

import dev.ferry.nsq.internal.federation.FederationAcceptor;
import dev.ferry.nsq.internal.federation.FederationAudit;
import dev.ferry.nsq.internal.http.AdminOptions;
import dev.ferry.nsq.internal.http.NsqHttpHandler;
import dev.ferry.nsq.internal.http.QueueStateRoutes;
import dev.ferry.nsq.internal.metrics.BrokerTraffic;
import dev.ferry.nsq.internal.metrics.SharedMetrics;
import dev.ferry.nsq.internal.server.AuthClient;
import dev.ferry.nsq.internal.server.ClientRegistry;
import dev.ferry.nsq.internal.server.V2ChannelInitializer;
import dev.ferry.spi.Engine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket of the broker: NSQ's TCP protocol V2, nsqd's HTTP API, or the same API over
 * HTTPS, served over an engine so any NSQ client can publish and consume through it. Started from a
 * {@link Builder}:
 *
 * <pre>{@code
 * NsqTcpServer.Builder servers = NsqTcpServer.builder(engine)
 *         .tls(TlsSettings.of(cert, key).withRequired(TlsSettings.Required.TCP_HTTPS))
 *         .auth(AuthSettings.of(List.of("127.0.0.1:4181"), Duration.ofSeconds(5)));
 * NsqTcpServer tcp = servers.startTcp("127.0.0.1", 4150);
 * NsqTcpServer https = servers.startHttps("127.0.0.1", 4152);
 * NsqTcpServer http = servers.httpsPort(https.port()).startHttp("127.0.0.1", 4151);
 * }</pre>
 *
 * <p>Each server has one boss thread that accepts and a small group of event loops that serve the
 * connections. Thread-safe. {@link #close()} stops accepting and closes every connection; what was
 * in flight to a client is requeued at once. The engine stays open: it belongs to the caller.
 */
public final class NsqTcpServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel server;
    private final Runnable onClose;
    private volatile FederationAudit federationAudit;

    private NsqTcpServer(EventLoopGroup boss, EventLoopGroup workers, Channel server, Runnable onClose) {
        this.boss = boss;
        this.workers = workers;
        this.server = server;
        this.onClose = onClose;
    }

    /** A builder of servers over {@code engine}, with nsqd's default options, no TLS and no auth. */
    public static Builder builder(Engine engine) {
        return new Builder(engine);
    }

    /**
     * The settings servers start with; each {@code start} method starts one server with the settings
     * as they are then, so one builder starts the TCP, HTTP and HTTPS listeners of a broker. The
     * servers of one builder share its list of TCP clients, which {@code /stats} shows over HTTP and
     * HTTPS. Not thread-safe: configure and start from one thread.
     */
    public static final class Builder {
        private final Engine engine;
        private final ClientRegistry clients = new ClientRegistry();
        private ServerOptions options = ServerOptions.defaults();
        private TlsSettings tls;
        private SslContext sslContext;
        private AuthSettings authSettings;
        private AuthClient auth;
        private boolean queueState;
        private Map<String, Object> info = Map.of();
        private int httpsPort;
        private List<HttpRoute> routes = List.of();
        private List<String> lookupdHttpAddresses = List.of();
        private SharedMetrics metrics;
        private FederationSettings federation;
        private final FederationAudit federationAudit = new FederationAudit();

        private Builder(Engine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        /** nsqd's limits and defaults, and the clock ({@link ServerOptions#defaults()} unless set). */
        public Builder options(ServerOptions value) {
            this.options = Objects.requireNonNull(value, "options");
            return this;
        }

        /**
         * Offers TLS (null: none, the default): to TCP clients that ask for it in IDENTIFY, and on
         * {@link #startHttps}; required as {@link TlsSettings#required()} says. The files are read
         * now, once, for every server started afterwards.
         *
         * @throws IllegalArgumentException naming the files when they cannot be read or used
         */
        public Builder tls(TlsSettings value) {
            return tls(value, value == null ? null : value.newServerContext());
        }

        /**
         * As {@link #tls(TlsSettings)}, with the context already made from {@code value} ({@link
         * TlsSettings#newServerContext()}), so that a caller who made it to check the files before
         * anything started does not make it twice.
         *
         * @param value the settings, or null for no TLS
         * @param context the context made from {@code value}; null exactly when {@code value} is
         * @throws IllegalArgumentException when one of them is null and the other is not
         */
        public Builder tls(TlsSettings value, SslContext context) {
            if ((value == null) != (context == null)) {
                throw new IllegalArgumentException("TLS settings and their context go together: got "
                        + (value == null ? "a context without settings" : "settings without a context"));
            }
            this.sslContext = context;
            this.tls = value;
            return this;
        }

        /**
         * Asks the auth services of {@code value} (null: no auth, the default) what a client's secret
         * allows: AUTH on TCP, and the requests that publish or change data over HTTP and HTTPS. The
         * servers of this builder share one cache of the answers, timed by the options' clock.
         */
        public Builder auth(AuthSettings value) {
            this.authSettings = value;
            this.auth = null;
            return this;
        }

        /**
         * Serves the engine's queue state (busmq queues' attachments, counters and metadata) under
         * {@code /queue/...} over HTTP and HTTPS, for Ferry's clients (default false: a plain nsqd
         * has no such routes).
         */
        public Builder queueState(boolean serve) {
            this.queueState = serve;
            return this;
        }

        /**
         * What {@code /info} answers over HTTP and HTTPS; read at each request, so it may be filled
         * in once the ports are known (then it must be safe to read from other threads).
         */
        public Builder info(Map<String, Object> value) {
            this.info = Objects.requireNonNull(value, "info");
            return this;
        }

        /**
         * Extra HTTP routes (e.g. the server's {@code /rpc}) served beside nsqd's API over HTTP and
         * HTTPS; see {@link HttpRoute} for how auth guards them.
         *
         * @throws IllegalArgumentException when two routes share a path or a route takes one of nsqd's
         */
        public Builder routes(List<HttpRoute> value) {
            this.routes = List.copyOf(value);
            return this;
        }

        /**
         * The lookupds whose nodes the admin page shows ({@code host:port} of their HTTP API, as
         * nsqadmin's {@code --lookupd-http-address}); none by default.
         *
         * @throws IllegalArgumentException when an address is not {@code host:port}
         */
        public Builder lookupdHttpAddresses(List<String> value) {
            for (String a : value) {
                int colon = a.lastIndexOf(':');
                if (colon <= 0
                        || colon == a.length() - 1
                        || !a.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException("a lookupd HTTP address is host:port, got '" + a + "'");
                }
            }
            this.lookupdHttpAddresses = List.copyOf(value);
            return this;
        }

        /**
         * Accepts federation (null: none, the default) on the HTTP and HTTPS listeners started
         * afterwards: a WebSocket at the settings' path carrying NSQ's protocol V2, open to peers that
         * answer the challenge with one of its secrets, each limited to what its secret names. A plain
         * HTTP listener that refuses requests because TLS is required refuses the upgrade too. The
         * listeners of this builder share one record of refusals ({@link #federationRefusals()}).
         */
        public Builder federation(FederationSettings value) {
            this.federation = value;
            return this;
        }

        /**
         * The HTTPS port that the plain HTTP listener names when it refuses a request because TLS is
         * required ({@link TlsSettings.Required#YES}); 0 (the default) when there is no HTTPS
         * listener, as nsqd.
         */
        public Builder httpsPort(int value) {
            this.httpsPort = value;
            return this;
        }

        /**
         * Starts NSQ's TCP protocol V2 on {@code host}:{@code port} (port 0: any free port; see
         * {@link #port()}).
         *
         * @throws IllegalStateException naming the address when it cannot be bound
         */
        public NsqTcpServer startTcp(String host, int port) {
            boolean required = tls != null && tls.required() != TlsSettings.Required.NO;
            return bind(
                    host,
                    port,
                    Math.max(1, Runtime.getRuntime().availableProcessors()),
                    new V2ChannelInitializer(engine, options, sslContext, required, authClient(), clients),
                    () -> {});
        }

        /**
         * Starts nsqd's HTTP API, plain, on {@code host}:{@code port} (port 0: any free port). With
         * TLS required for HTTP too ({@link TlsSettings.Required#YES}), it answers every request with
         * 403 {@code TLS_REQUIRED} and the {@linkplain #httpsPort(int) HTTPS port}, as nsqd.
         *
         * @throws IllegalStateException naming the address when it cannot be bound
         */
        public NsqTcpServer startHttp(String host, int port) {
            boolean refuse = tls != null && tls.required() == TlsSettings.Required.YES;
            SharedMetrics shared = sharedMetrics();
            return http(
                    host,
                    port,
                    null,
                    new NsqHttpHandler(
                            engine,
                            options,
                            info,
                            authClient(),
                            clients,
                            refuse,
                            httpsPort,
                            httpRoutes(),
                            admin(shared)),
                    BrokerTraffic.HTTP,
                    shared,
                    !refuse);
        }

        /**
         * Starts nsqd's HTTP API over TLS on {@code host}:{@code port} (port 0: any free port), with
         * the same certificate and client certificate policy as the TCP protocol, as nsqd's {@code
         * --https-address}.
         *
         * @throws IllegalStateException when no TLS was set, or naming the address when it cannot be
         *     bound
         */
        public NsqTcpServer startHttps(String host, int port) {
            if (sslContext == null) {
                throw new IllegalStateException("HTTPS on " + host + ":" + port + " needs TLS settings");
            }
            SharedMetrics shared = sharedMetrics();
            return http(
                    host,
                    port,
                    sslContext,
                    new NsqHttpHandler(
                            engine, options, info, authClient(), clients, false, 0, httpRoutes(), admin(shared)),
                    BrokerTraffic.HTTPS,
                    shared,
                    true);
        }

        /** The auth client every server of this builder shares, made at the first start; null: no auth. */
        private AuthClient authClient() {
            if (auth == null && authSettings != null) {
                auth = new AuthClient(
                        authSettings.httpAddresses(),
                        options.clock(),
                        authSettings.connectTimeout(),
                        authSettings.requestTimeout());
            }
            return auth;
        }

        /** The metrics every HTTP(S) server of this builder shares (made at the first scrape), held once more. */
        private SharedMetrics sharedMetrics() {
            if (metrics == null || !metrics.retain()) {
                metrics = new SharedMetrics(engine, clients.traffic());
            }
            return metrics;
        }

        private AdminOptions admin(SharedMetrics shared) {
            return new AdminOptions(shared, lookupdHttpAddresses);
        }

        private List<HttpRoute> httpRoutes() {
            if (!queueState) {
                return routes;
            }
            List<HttpRoute> all = new ArrayList<>(routes);
            all.addAll(QueueStateRoutes.of(engine.queueState()));
            return List.copyOf(all);
        }

        private NsqTcpServer http(
                String host,
                int port,
                SslContext context,
                NsqHttpHandler api,
                String kind,
                SharedMetrics shared,
                boolean federate) {
            int maxContent = options.maxBodySize() + 1024;
            BrokerTraffic traffic = clients.traffic();
            FederationSettings fed = federate ? federation : null;
            try {
                NsqTcpServer started = bind(
                        host,
                        port,
                        1,
                        new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                traffic.connected(kind);
                                ch.closeFuture().addListener(f -> traffic.disconnected(kind));
                                if (context != null) {
                                    ch.pipeline().addLast("tls", context.newHandler(ch.alloc()));
                                }
                                ch.pipeline()
                                        .addLast(new HttpServerCodec())
                                        .addLast(new HttpObjectAggregator(maxContent));
                                if (fed != null) {
                                    addFederation(ch, fed, maxContent);
                                }
                                ch.pipeline().addLast("api", api);
                            }
                        },
                        () -> {
                            api.shutdown();
                            shared.release();
                        });
                started.federationAudit = federationAudit;
                return started;
            } catch (RuntimeException e) {
                api.shutdown();
                shared.release();
                throw e;
            }
        }

        /** The WebSocket upgrade at the federation path, then the challenge; see {@link FederationAcceptor}. */
        private void addFederation(Channel ch, FederationSettings fed, int maxContent) {
            WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath(fed.path())
                    .checkStartsWith(false)
                    .maxFramePayloadLength(maxContent)
                    .handshakeTimeoutMillis(fed.challengeTimeout().toMillis())
                    .build();
            ch.pipeline()
                    .addLast("ws", new WebSocketServerProtocolHandler(config))
                    .addLast("federation", new FederationAcceptor(fed, federationAudit, engine, options, clients));
        }

        /** The latest federation refusals of the listeners of this builder, oldest first, as logged. */
        public List<String> federationRefusals() {
            return federationAudit.latest();
        }
    }

    private static NsqTcpServer bind(
            String host, int port, int threads, ChannelInitializer<Channel> init, Runnable onClose) {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(init)
                    .bind(host, port)
                    .syncUninterruptibly()
                    .channel();
            return new NsqTcpServer(boss, workers, server, onClose);
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * The latest federation refusals (a wrong secret, a replayed answer, a command outside a secret's
     * patterns) of the listeners started by this server's builder, oldest first, as logged; empty for
     * a TCP listener or without federation.
     */
    public List<String> federationRefusals() {
        return federationAudit == null ? List.of() : federationAudit.latest();
    }

    /** The port the server listens on. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        onClose.run();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
