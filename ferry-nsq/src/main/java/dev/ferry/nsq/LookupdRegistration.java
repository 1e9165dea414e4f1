package dev.ferry.nsq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.TopicStats;
import dev.ferry.nsq.internal.lookupd.LookupPeer;
import dev.ferry.spi.Engine;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A broker's registration with nsqlookupd (or {@link LookupdServer}), as nsqd's {@code
 * --lookupd-tcp-address}: for each lookupd, a connection over the TCP protocol V1 that identifies the
 * broker, registers every topic and channel of its engine (a topic without channels by itself, else
 * each of its channels), registers and unregisters them as they are created and deleted, and PINGs
 * every 15 seconds. A lost connection is made again after a backoff, and everything registered again.
 *
 * <pre>{@code
 * LookupdRegistration registration = LookupdRegistration.builder(engine)
 *         .node("10.0.0.5", "broker-1", tcp.port(), http.port())
 *         .lookupd("10.0.0.2", 4160)
 *         .start();
 * }</pre>
 *
 * <p>One event loop thread serves every lookupd connection; the engine's change notices are handed to
 * it without blocking. Thread-safe. {@link #close()} closes the connections, so the lookupds forget the
 * broker at once.
 */
public final class LookupdRegistration implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLoopGroup group;
    private final List<LookupPeer> peers;
    private final Engine.Registration watch;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LookupdRegistration(EventLoopGroup group, List<LookupPeer> peers, Engine.Registration watch) {
        this.group = group;
        this.peers = peers;
        this.watch = watch;
    }

    /** A builder of the registration of the broker serving {@code engine}. */
    public static Builder builder(Engine engine) {
        return new Builder(engine);
    }

    /** What a registration starts with. Not thread-safe: configure and start from one thread. */
    public static final class Builder {
        private final Engine engine;
        private final List<String[]> lookupds = new ArrayList<>();
        private String broadcastAddress;
        private String hostname;
        private int tcpPort;
        private int httpPort;
        private String version = "1.3.0";
        private Duration pingInterval = Duration.ofSeconds(15);
        private Duration minBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(15);

        private Builder(Engine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        /**
         * The broker as IDENTIFY describes it: the address and ports clients are to connect to (nsqd's
         * {@code --broadcast-address}, {@code --broadcast-tcp-port}, {@code --broadcast-http-port}) and
         * its host name. A lookupd refuses a broker without an address or with a port 0.
         */
        public Builder node(String broadcastAddress, String hostname, int tcpPort, int httpPort) {
            this.broadcastAddress = Objects.requireNonNull(broadcastAddress, "broadcastAddress");
            this.hostname = Objects.requireNonNull(hostname, "hostname");
            this.tcpPort = tcpPort;
            this.httpPort = httpPort;
            return this;
        }

        /** Adds a lookupd to register with, by its TCP address. */
        public Builder lookupd(String host, int port) {
            lookupds.add(new String[] {Objects.requireNonNull(host, "host"), Integer.toString(port)});
            return this;
        }

        /** The version IDENTIFY reports; {@code 1.3.0}. */
        public Builder version(String value) {
            this.version = Objects.requireNonNull(value, "version");
            return this;
        }

        /**
         * How often to PING each lookupd (15 s, as nsqd); a lookupd that leaves a command unanswered
         * for this long is connected to again.
         */
        public Builder pingInterval(Duration value) {
            this.pingInterval = Objects.requireNonNull(value, "pingInterval");
            return this;
        }

        /** The wait before connecting again: {@code min}, doubling up to {@code max} (1 s to 15 s). */
        public Builder reconnectBackoff(Duration min, Duration max) {
            this.minBackoff = Objects.requireNonNull(min, "min");
            this.maxBackoff = Objects.requireNonNull(max, "max");
            return this;
        }

        /**
         * Starts watching the engine and connecting to every lookupd; returns at once, the connections
         * being made in the background (a lookupd that is down is retried).
         *
         * @throws IllegalStateException when {@link #node} was not set
         */
        public LookupdRegistration start() {
            if (broadcastAddress == null) {
                throw new IllegalStateException("the node's address and ports are needed to register with lookupd");
            }
            byte[] identify = identifyBody();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            List<LookupPeer> peers = new ArrayList<>();
            for (String[] address : lookupds) {
                peers.add(new LookupPeer(
                        address[0],
                        Integer.parseInt(address[1]),
                        group.next(),
                        identify,
                        () -> registrations(engine),
                        pingInterval,
                        minBackoff,
                        maxBackoff));
            }
            Engine.Registration watch = engine.watch(new Engine.TopologyListener() {
                @Override
                public void topicCreated(String topic) {
                    peers.forEach(p -> p.command("REGISTER " + topic));
                }

                @Override
                public void topicDeleted(String topic) {
                    peers.forEach(p -> p.command("UNREGISTER " + topic));
                }

                @Override
                public void channelCreated(String topic, String channel) {
                    peers.forEach(p -> p.command("REGISTER " + topic + " " + channel));
                }

                @Override
                public void channelDeleted(String topic, String channel) {
                    peers.forEach(p -> p.command("UNREGISTER " + topic + " " + channel));
                }
            });
            peers.forEach(LookupPeer::start);
            return new LookupdRegistration(group, List.copyOf(peers), watch);
        }

        /** IDENTIFY's JSON, with the keys in the order nsqd's (a Go map's) come in. */
        private byte[] identifyBody() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("broadcast_address", broadcastAddress);
            body.put("hostname", hostname);
            body.put("http_port", httpPort);
            body.put("tcp_port", tcpPort);
            body.put("version", version);
            try {
                return JSON.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot encode IDENTIFY " + body + ": " + e, e);
            }
        }
    }

    /**
     * What nsqd registers on connecting: each topic without channels, else each of its channels;
     * once the engine's statistics arrive (never waited for on the peer's event loop).
     */
    private static CompletionStage<List<String>> registrations(Engine engine) {
        return engine.stats().thenApply(topics -> {
            List<String> lines = new ArrayList<>();
            for (TopicStats topic : topics) {
                if (topic.channels().isEmpty()) {
                    lines.add("REGISTER " + topic.name());
                } else {
                    topic.channels().forEach(c -> lines.add("REGISTER " + topic.name() + " " + c.name()));
                }
            }
            return lines;
        });
    }

    /** Stops watching the engine and closes every lookupd connection. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watch.close();
        peers.forEach(p -> p.close().awaitUninterruptibly(5, TimeUnit.SECONDS));
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
