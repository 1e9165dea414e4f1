package dev.ferry.nsq;

import dev.ferry.nsq.internal.http.NsqHttpHandler;
import dev.ferry.nsq.internal.server.AuthClient;
import dev.ferry.nsq.internal.server.ClientRegistry;
import dev.ferry.nsq.internal.server.ServerOptions;
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
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket of the broker: NSQ's TCP protocol V2 ({@link #start}) or nsqd's HTTP API
 * ({@link #startHttp}) served over an engine, so any NSQ client can publish and consume through
 * it. One boss thread accepts, a small group of event loops serves connections.
 *
 * <p>Thread-safe. {@link #close()} stops accepting and closes every connection; what was in flight
 * to a client is requeued at once. The engine stays open: it belongs to the caller.
 */
public final class NsqTcpServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel server;
    private final Runnable onClose;

    private NsqTcpServer(EventLoopGroup boss, EventLoopGroup workers, Channel server, Runnable onClose) {
        this.boss = boss;
        this.workers = workers;
        this.server = server;
        this.onClose = onClose;
    }

    /**
     * Starts serving on {@code host}:{@code port} (port 0: any free port; see {@link #port()}).
     *
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public static NsqTcpServer start(Engine engine, String host, int port) {
        return start(engine, ServerOptions.defaults(), host, port);
    }

    /**
     * Starts nsqd's HTTP API on {@code host}:{@code port} (port 0: any free port) over the same
     * engine; {@code info} is what {@code /info} answers.
     */
    public static NsqTcpServer startHttp(
            Engine engine, ServerOptions options, String host, int port, Map<String, Object> info) {
        return startHttp(engine, options, host, port, info, null);
    }

    /**
     * Starts nsqd's HTTP API; with {@code auth} (null: none) the requests that publish or change data
     * must carry a secret the auth service allows.
     */
    public static NsqTcpServer startHttp(
            Engine engine, ServerOptions options, String host, int port, Map<String, Object> info, AuthClient auth) {
        return startHttp(engine, options, host, port, info, auth, new ClientRegistry());
    }

    /**
     * Starts nsqd's HTTP API; {@code /stats} lists the consumers and producers of {@code clients} (the
     * registry of the TCP server started with the same one).
     */
    public static NsqTcpServer startHttp(
            Engine engine,
            ServerOptions options,
            String host,
            int port,
            Map<String, Object> info,
            AuthClient auth,
            ClientRegistry clients) {
        NsqHttpHandler api = new NsqHttpHandler(engine, options, info, auth, clients);
        int maxContent = options.maxBodySize() + 1024;
        return bind(
                host,
                port,
                1,
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(maxContent))
                                .addLast(api);
                    }
                },
                api::shutdown);
    }

    /** Starts serving with explicit options (tests pass their clock through them). */
    public static NsqTcpServer start(Engine engine, ServerOptions options, String host, int port) {
        return start(engine, options, null, host, port);
    }

    /**
     * Starts serving; clients that ask for {@code tls_v1} in IDENTIFY are upgraded with {@code tls}
     * (null: TLS not offered).
     */
    public static NsqTcpServer start(Engine engine, ServerOptions options, SslContext tls, String host, int port) {
        return start(engine, options, tls, null, host, port);
    }

    /** Starts serving with TLS (null: none) and auth against an auth service (null: none). */
    public static NsqTcpServer start(
            Engine engine, ServerOptions options, SslContext tls, AuthClient auth, String host, int port) {
        return start(engine, options, tls, auth, new ClientRegistry(), host, port);
    }

    /**
     * Starts serving with TLS and auth (null: none), listing each open connection in {@code clients}
     * (give the same registry to {@link #startHttp} so that {@code /stats} shows the clients).
     */
    public static NsqTcpServer start(
            Engine engine,
            ServerOptions options,
            SslContext tls,
            AuthClient auth,
            ClientRegistry clients,
            String host,
            int port) {
        return bind(
                host,
                port,
                Math.max(1, Runtime.getRuntime().availableProcessors()),
                new V2ChannelInitializer(engine, options, tls, auth, clients),
                () -> {});
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
