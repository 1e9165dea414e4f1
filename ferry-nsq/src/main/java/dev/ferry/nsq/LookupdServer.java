package dev.ferry.nsq;

import dev.ferry.nsq.internal.lookupd.LookupV1Connection;
import dev.ferry.nsq.internal.lookupd.LookupdHttpHandler;
import dev.ferry.nsq.internal.lookupd.LookupdOptions;
import dev.ferry.nsq.internal.lookupd.LookupdState;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A discovery service in nsqlookupd 1.3's image: brokers (Ferry's or nsqd) register their topics and
 * channels over its TCP protocol V1, and clients find the brokers of a topic over its HTTP API
 * ({@code /lookup}, {@code /topics}, {@code /channels}, {@code /nodes}, ...). It keeps everything in
 * memory, as nsqlookupd does: a broker's registrations go with its connection, and a broker that has
 * not pinged within the inactive producer timeout is no longer listed.
 *
 * <pre>{@code
 * try (LookupdServer lookupd = LookupdServer.builder()
 *         .tcpAddress("127.0.0.1", 4160)
 *         .httpAddress("127.0.0.1", 4161)
 *         .start()) {
 *     ... lookupd.httpPort() ...
 * }
 * }</pre>
 *
 * <p>One accepting thread and one event loop serve both listeners; thread-safe. {@link #close()}
 * closes both listeners and every connection.
 */
public final class LookupdServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel tcp;
    private final Channel http;

    private LookupdServer(EventLoopGroup boss, EventLoopGroup workers, Channel tcp, Channel http) {
        this.boss = boss;
        this.workers = workers;
        this.tcp = tcp;
        this.http = http;
    }

    /** A builder with nsqlookupd's defaults, listening on 127.0.0.1:4160 (TCP) and 127.0.0.1:4161 (HTTP). */
    public static Builder builder() {
        return new Builder();
    }

    /** The settings a lookupd starts with. Not thread-safe: configure and start from one thread. */
    public static final class Builder {
        private String tcpHost = "127.0.0.1";
        private int tcpPort = 4160;
        private String httpHost = "127.0.0.1";
        private int httpPort = 4161;
        private Duration inactiveProducerTimeout = Duration.ofSeconds(300);
        private Duration tombstoneLifetime = Duration.ofSeconds(45);
        private String hostname = localHostName();
        private String broadcastAddress;
        private String version = "1.3.0";
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Where to serve the TCP protocol V1 (port 0: any free port). */
        public Builder tcpAddress(String host, int port) {
            this.tcpHost = Objects.requireNonNull(host, "host");
            this.tcpPort = port;
            return this;
        }

        /** Where to serve the HTTP API (port 0: any free port). */
        public Builder httpAddress(String host, int port) {
            this.httpHost = Objects.requireNonNull(host, "host");
            this.httpPort = port;
            return this;
        }

        /**
         * How long after its last PING (or its IDENTIFY) a broker is still listed by {@code /lookup}
         * and {@code /nodes}; 300 s, as nsqlookupd's {@code --inactive-producer-timeout}.
         */
        public Builder inactiveProducerTimeout(Duration value) {
            this.inactiveProducerTimeout = positive(value, "inactive producer timeout");
            return this;
        }

        /**
         * How long {@code POST /topic/tombstone} keeps a broker's topic out of {@code /lookup}; 45 s, as
         * nsqlookupd's {@code --tombstone-lifetime}.
         */
        public Builder tombstoneLifetime(Duration value) {
            this.tombstoneLifetime = positive(value, "tombstone lifetime");
            return this;
        }

        /**
         * The address the lookupd gives for itself in its IDENTIFY answers (brokers use it to reach its
         * HTTP API); the host name unless set, as nsqlookupd's {@code --broadcast-address}.
         */
        public Builder broadcastAddress(String value) {
            this.broadcastAddress = value;
            return this;
        }

        /** The version {@code /info} and IDENTIFY answers report; {@code 1.3.0}. */
        public Builder version(String value) {
            this.version = Objects.requireNonNull(value, "version");
            return this;
        }

        /** The clock of PINGs, inactivity and tombstones (tests move one by hand). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Binds both listeners and starts serving.
         *
         * @throws IllegalStateException naming the address when one cannot be bound
         */
        public LookupdServer start() {
            String broadcast = broadcastAddress == null || broadcastAddress.isEmpty() ? hostname : broadcastAddress;
            LookupdState state = new LookupdState(new LookupdOptions(
                    inactiveProducerTimeout, tombstoneLifetime, broadcast, hostname, version, 1 << 20, clock));
            LookupdHttpHandler api = new LookupdHttpHandler(state);
            EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            EventLoopGroup workers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            Channel tcp = null;
            try {
                tcp = bind(boss, workers, tcpHost, tcpPort, new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LookupV1Connection(state));
                    }
                });
                Channel http = bind(boss, workers, httpHost, httpPort, new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(api);
                    }
                });
                state.ports(port(tcp), port(http));
                return new LookupdServer(boss, workers, tcp, http);
            } catch (RuntimeException e) {
                if (tcp != null) {
                    tcp.close().syncUninterruptibly();
                }
                workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                throw e;
            }
        }

        private static Duration positive(Duration value, String what) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("the " + what + " must be positive, got " + value);
            }
            return value;
        }
    }

    private static Channel bind(
            EventLoopGroup boss, EventLoopGroup workers, String host, int port, ChannelHandler init) {
        try {
            return new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(init)
                    .bind(host, port)
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static int port(Channel channel) {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** The port the TCP protocol V1 listens on. */
    public int tcpPort() {
        return port(tcp);
    }

    /** The port the HTTP API listens on. */
    public int httpPort() {
        return port(http);
    }

    /** Closes both listeners and every connection; brokers see their connections end. Idempotent. */
    @Override
    public void close() {
        tcp.close().syncUninterruptibly();
        http.close().syncUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
