package dev.ferry;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The settings of a bus connected to brokers over NSQ's protocol ({@link Bus#connect(ConnectOptions)}):
 * where the brokers are, what the connections negotiate, and how the client batches, retries and
 * spreads its max-in-flight. Validated once by {@link Builder#build()} and immutable after that.
 *
 * <p>Addresses are {@code host:port}. A bus needs at least one nsqd TCP address or one lookupd HTTP
 * address: consumers connect to the nsqd addresses given and to every producer lookupd lists for the
 * topic; publishers use the nsqd addresses given, else every node lookupd lists. Durations sized for
 * production are the defaults (as go-nsq's); tests shorten them.
 */
public final class ConnectOptions {
    /** Compression a connection asks for in IDENTIFY (the broker must allow it). */
    public enum Compression {
        /** No compression. */
        NONE,
        /** Snappy, in the snappy framing format. */
        SNAPPY,
        /** Raw DEFLATE at {@link #deflateLevel()}. */
        DEFLATE
    }

    private final List<String> nsqdTcpAddresses;
    private final List<String> lookupdHttpAddresses;
    private final List<String> nsqdHttpAddresses;
    private final Duration lookupdPollInterval;
    private final double lookupdPollJitter;
    private final SSLContext tls;
    private final Compression compression;
    private final int deflateLevel;
    private final String authSecret;
    private final Duration heartbeatInterval;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Backoff reconnectBackoff;
    private final Backoff failureBackoff;
    private final Duration rdyRedistributeInterval;
    private final Duration lowRdyIdleTimeout;
    private final Duration lowRdyTimeout;
    private final Duration publishLinger;
    private final int publishConnections;
    private final int publishBatchMessages;
    private final int publishBatchBytes;
    private final int maxMessageSize;
    private final int maxBodySize;
    private final long maxPendingPublishBytes;
    private final String clientId;
    private final String hostname;
    private final String userAgent;
    private final int handlerThreads;
    private final Clock clock;

    private ConnectOptions(Builder b) {
        this.nsqdTcpAddresses = List.copyOf(b.nsqdTcpAddresses);
        this.lookupdHttpAddresses = List.copyOf(b.lookupdHttpAddresses);
        this.nsqdHttpAddresses = List.copyOf(b.nsqdHttpAddresses);
        this.lookupdPollInterval = b.lookupdPollInterval;
        this.lookupdPollJitter = b.lookupdPollJitter;
        this.tls = b.tls;
        this.compression = b.compression;
        this.deflateLevel = b.deflateLevel;
        this.authSecret = b.authSecret;
        this.heartbeatInterval = b.heartbeatInterval;
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
        this.reconnectBackoff = b.reconnectBackoff;
        this.failureBackoff = b.failureBackoff;
        this.rdyRedistributeInterval = b.rdyRedistributeInterval;
        this.lowRdyIdleTimeout = b.lowRdyIdleTimeout;
        this.lowRdyTimeout = b.lowRdyTimeout;
        this.publishLinger = b.publishLinger;
        this.publishConnections = b.publishConnections;
        this.publishBatchMessages = b.publishBatchMessages;
        this.publishBatchBytes = b.publishBatchBytes;
        this.maxMessageSize = b.maxMessageSize;
        this.maxBodySize = b.maxBodySize;
        this.maxPendingPublishBytes = b.maxPendingPublishBytes;
        this.clientId = b.clientId;
        this.hostname = b.hostname;
        this.userAgent = b.userAgent;
        this.handlerThreads = b.handlerThreads;
        this.clock = b.clock;
    }

    /** A builder with the defaults and no address yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder for the given nsqd TCP addresses ({@code host:port}). */
    public static Builder nsqd(String... tcpAddresses) {
        Builder b = new Builder();
        for (String a : tcpAddresses) {
            b.nsqd(a);
        }
        return b;
    }

    /** A builder for the given lookupd HTTP addresses ({@code host:port}). */
    public static Builder lookupd(String... httpAddresses) {
        Builder b = new Builder();
        for (String a : httpAddresses) {
            b.lookupd(a);
        }
        return b;
    }

    /** The nsqd TCP addresses to connect to directly (reconnected whenever lost). */
    public List<String> nsqdTcpAddresses() {
        return nsqdTcpAddresses;
    }

    /** The lookupd HTTP addresses polled for a topic's producers (and the nodes to publish to). */
    public List<String> lookupdHttpAddresses() {
        return lookupdHttpAddresses;
    }

    /**
     * The nsqd HTTP addresses the {@link BusAdmin} uses; when empty, the admin uses the nodes lookupd
     * lists.
     */
    public List<String> nsqdHttpAddresses() {
        return nsqdHttpAddresses;
    }

    /** How often lookupd is polled (default 60 s, as go-nsq). */
    public Duration lookupdPollInterval() {
        return lookupdPollInterval;
    }

    /**
     * The fraction of the poll interval by which each poll is randomly delayed (default 0.3, as
     * go-nsq), so that many clients do not poll in step.
     */
    public double lookupdPollJitter() {
        return lookupdPollJitter;
    }

    /** The TLS context to upgrade connections with (IDENTIFY {@code tls_v1}), or empty for none. */
    public Optional<SSLContext> tls() {
        return Optional.ofNullable(tls);
    }

    /** The compression asked for in IDENTIFY (default {@link Compression#NONE}). */
    public Compression compression() {
        return compression;
    }

    /** The DEFLATE level asked for, 1 to 9 (default 6; nsqd caps it at its max-deflate-level). */
    public int deflateLevel() {
        return deflateLevel;
    }

    /** The secret sent with AUTH when a broker requires it, or empty. */
    public Optional<String> authSecret() {
        return Optional.ofNullable(authSecret);
    }

    /**
     * The heartbeat interval asked for in IDENTIFY (default 30 s); a connection that hears nothing for
     * twice that is closed and reconnected.
     */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** How long a TCP connect may take (default 5 s). */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * How long the client waits for a broker's answer to the handshake or to a publish (default 10 s)
     * before failing it and closing the connection.
     */
    public Duration responseTimeout() {
        return responseTimeout;
    }

    /** The delay before reconnecting after the n-th failure in a row (default 100 ms to 30 s), jittered. */
    public Backoff reconnectBackoff() {
        return reconnectBackoff;
    }

    /**
     * How long a consumer pauses (every connection at RDY 0, then one at RDY 1 to test the waters)
     * after handler failures, by the number of failures not yet offset by successes (default 1 s to
     * 2 min, as go-nsq); empty when failures do not pause consumption.
     */
    public Optional<Backoff> failureBackoff() {
        return Optional.ofNullable(failureBackoff);
    }

    /**
     * How often RDY is moved between connections when a subscription has more connections than max
     * in flight, or is backing off (default 5 s, as go-nsq).
     */
    public Duration rdyRedistributeInterval() {
        return rdyRedistributeInterval;
    }

    /** A connection that received nothing for this long gives its RDY to another (default 10 s). */
    public Duration lowRdyIdleTimeout() {
        return lowRdyIdleTimeout;
    }

    /**
     * A connection holding RDY this long gives it up at the next redistribution even when busy, so
     * that with max in flight smaller than the connections every producer gets its turn (default 30 s).
     */
    public Duration lowRdyTimeout() {
        return lowRdyTimeout;
    }

    /**
     * How long an asynchronous publish may wait for others to share its MPUB (default 0: a publish is
     * sent at once, and publishes that arrive while the connection is busy share the next MPUB).
     */
    public Duration publishLinger() {
        return publishLinger;
    }

    /**
     * Publishing connections per broker (default 1): a broker reads one connection's commands in
     * order, so publishers that need more than one connection's throughput use more.
     */
    public int publishConnections() {
        return publishConnections;
    }

    /** The most messages one MPUB carries when publishes are combined (default 1,000). */
    public int publishBatchMessages() {
        return publishBatchMessages;
    }

    /** The most body bytes one MPUB carries when publishes are combined (default 1 MiB). */
    public int publishBatchBytes() {
        return publishBatchBytes;
    }

    /** The largest message body accepted before sending (default 1 MiB, nsqd's max-msg-size). */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** The largest batch in body bytes (default 5 MiB, nsqd's max-body-size). */
    public int maxBodySize() {
        return maxBodySize;
    }

    /**
     * The most body bytes of publishes sent or queued and not yet answered (default 64 MiB); past it a
     * publish is rejected with {@link PublishRejectedException}.
     */
    public long maxPendingPublishBytes() {
        return maxPendingPublishBytes;
    }

    /** The {@code client_id} sent in IDENTIFY (default: the short host name). */
    public String clientId() {
        return clientId;
    }

    /** The {@code hostname} sent in IDENTIFY (default: the local host name). */
    public String hostname() {
        return hostname;
    }

    /** The {@code user_agent} sent in IDENTIFY (default {@code ferry-java}). */
    public String userAgent() {
        return userAgent;
    }

    /** Threads that run handlers (default the number of processors, at least 2). */
    public int handlerThreads() {
        return handlerThreads;
    }

    /** The clock of idle and timeout decisions (tests pass their own). */
    public Clock clock() {
        return clock;
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.nsqdTcpAddresses.addAll(nsqdTcpAddresses);
        b.lookupdHttpAddresses.addAll(lookupdHttpAddresses);
        b.nsqdHttpAddresses.addAll(nsqdHttpAddresses);
        b.lookupdPollInterval = lookupdPollInterval;
        b.lookupdPollJitter = lookupdPollJitter;
        b.tls = tls;
        b.compression = compression;
        b.deflateLevel = deflateLevel;
        b.authSecret = authSecret;
        b.heartbeatInterval = heartbeatInterval;
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        b.reconnectBackoff = reconnectBackoff;
        b.failureBackoff = failureBackoff;
        b.rdyRedistributeInterval = rdyRedistributeInterval;
        b.lowRdyIdleTimeout = lowRdyIdleTimeout;
        b.lowRdyTimeout = lowRdyTimeout;
        b.publishLinger = publishLinger;
        b.publishConnections = publishConnections;
        b.publishBatchMessages = publishBatchMessages;
        b.publishBatchBytes = publishBatchBytes;
        b.maxMessageSize = maxMessageSize;
        b.maxBodySize = maxBodySize;
        b.maxPendingPublishBytes = maxPendingPublishBytes;
        b.clientId = clientId;
        b.hostname = hostname;
        b.userAgent = userAgent;
        b.handlerThreads = handlerThreads;
        b.clock = clock;
        return b;
    }

    @Override
    public String toString() {
        return "ConnectOptions[nsqd=" + nsqdTcpAddresses + ", lookupd=" + lookupdHttpAddresses + ", nsqdHttp="
                + nsqdHttpAddresses + ", tls=" + (tls != null) + ", compression=" + compression + ", auth="
                + (authSecret != null) + "]";
    }

    /** Collects settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final List<String> nsqdTcpAddresses = new ArrayList<>();
        private final List<String> lookupdHttpAddresses = new ArrayList<>();
        private final List<String> nsqdHttpAddresses = new ArrayList<>();
        private Duration lookupdPollInterval = Duration.ofSeconds(60);
        private double lookupdPollJitter = 0.3;
        private SSLContext tls;
        private Compression compression = Compression.NONE;
        private int deflateLevel = 6;
        private String authSecret;
        private Duration heartbeatInterval = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration responseTimeout = Duration.ofSeconds(10);
        private Backoff reconnectBackoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30));
        private Backoff failureBackoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2));
        private Duration rdyRedistributeInterval = Duration.ofSeconds(5);
        private Duration lowRdyIdleTimeout = Duration.ofSeconds(10);
        private Duration lowRdyTimeout = Duration.ofSeconds(30);
        private Duration publishLinger = Duration.ZERO;
        private int publishConnections = 1;
        private int publishBatchMessages = 1000;
        private int publishBatchBytes = 1 << 20;
        private int maxMessageSize = 1 << 20;
        private int maxBodySize = 5 << 20;
        private long maxPendingPublishBytes = 64L << 20;
        private String clientId;
        private String hostname;
        private String userAgent = "ferry-java";
        private int handlerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Adds an nsqd TCP address ({@code host:port}). */
        public Builder nsqd(String tcpAddress) {
            nsqdTcpAddresses.add(checkAddress("nsqd TCP address", tcpAddress));
            return this;
        }

        /** Adds a lookupd HTTP address ({@code host:port}). */
        public Builder lookupd(String httpAddress) {
            lookupdHttpAddresses.add(checkAddress("lookupd HTTP address", httpAddress));
            return this;
        }

        /** Adds an nsqd HTTP address ({@code host:port}) for the admin. */
        public Builder nsqdHttp(String httpAddress) {
            nsqdHttpAddresses.add(checkAddress("nsqd HTTP address", httpAddress));
            return this;
        }

        /** Sets the lookupd poll interval and its jitter fraction (0 to 1). */
        public Builder lookupdPoll(Duration interval, double jitter) {
            this.lookupdPollInterval = Objects.requireNonNull(interval, "interval");
            this.lookupdPollJitter = jitter;
            return this;
        }

        /** Upgrades every connection to TLS with {@code context} (null: no TLS). */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /** Asks for compression. */
        public Builder compression(Compression value) {
            this.compression = Objects.requireNonNull(value, "compression");
            return this;
        }

        /** Asks for DEFLATE at {@code level} (1 to 9). */
        public Builder deflate(int level) {
            this.compression = Compression.DEFLATE;
            this.deflateLevel = level;
            return this;
        }

        /** Sets the AUTH secret (null: none). */
        public Builder authSecret(String value) {
            this.authSecret = value;
            return this;
        }

        /** Sets the heartbeat interval (at least 1 s; nsqd allows up to its max-heartbeat-interval). */
        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = Objects.requireNonNull(value, "heartbeatInterval");
            return this;
        }

        /** Sets the TCP connect timeout. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = Objects.requireNonNull(value, "connectTimeout");
            return this;
        }

        /** Sets how long an answer from a broker may take. */
        public Builder responseTimeout(Duration value) {
            this.responseTimeout = Objects.requireNonNull(value, "responseTimeout");
            return this;
        }

        /** Sets the reconnect backoff. */
        public Builder reconnectBackoff(Backoff value) {
            this.reconnectBackoff = Objects.requireNonNull(value, "reconnectBackoff");
            return this;
        }

        /** Sets the consumer's failure backoff (null: failures do not pause consumption). */
        public Builder failureBackoff(Backoff value) {
            this.failureBackoff = value;
            return this;
        }

        /** Sets the RDY redistribution interval and the idle and holding timeouts that move RDY. */
        public Builder rdyRedistribution(Duration interval, Duration idleTimeout, Duration holdTimeout) {
            this.rdyRedistributeInterval = Objects.requireNonNull(interval, "interval");
            this.lowRdyIdleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
            this.lowRdyTimeout = Objects.requireNonNull(holdTimeout, "holdTimeout");
            return this;
        }

        /** Sets the publish linger. */
        public Builder publishLinger(Duration value) {
            this.publishLinger = Objects.requireNonNull(value, "publishLinger");
            return this;
        }

        /** Sets the number of publishing connections per broker. */
        public Builder publishConnections(int value) {
            this.publishConnections = value;
            return this;
        }

        /** Sets how many messages and body bytes one combined MPUB may carry. */
        public Builder publishBatch(int messages, int bytes) {
            this.publishBatchMessages = messages;
            this.publishBatchBytes = bytes;
            return this;
        }

        /** Sets the largest message body. */
        public Builder maxMessageSize(int value) {
            this.maxMessageSize = value;
            return this;
        }

        /** Sets the largest batch in body bytes. */
        public Builder maxBodySize(int value) {
            this.maxBodySize = value;
            return this;
        }

        /** Sets the bound of unanswered publish bytes. */
        public Builder maxPendingPublishBytes(long value) {
            this.maxPendingPublishBytes = value;
            return this;
        }

        /** Sets the IDENTIFY {@code client_id}. */
        public Builder clientId(String value) {
            this.clientId = Objects.requireNonNull(value, "clientId");
            return this;
        }

        /** Sets the IDENTIFY {@code hostname}. */
        public Builder hostname(String value) {
            this.hostname = Objects.requireNonNull(value, "hostname");
            return this;
        }

        /** Sets the IDENTIFY {@code user_agent}. */
        public Builder userAgent(String value) {
            this.userAgent = Objects.requireNonNull(value, "userAgent");
            return this;
        }

        /** Sets the number of handler threads. */
        public Builder handlerThreads(int value) {
            this.handlerThreads = value;
            return this;
        }

        /** Sets the clock. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Validates and seals the settings.
         *
         * @throws IllegalArgumentException naming the setting and its value
         */
        public ConnectOptions build() {
            if (nsqdTcpAddresses.isEmpty() && lookupdHttpAddresses.isEmpty()) {
                throw new IllegalArgumentException(
                        "a connected bus needs an nsqd TCP address or a lookupd HTTP address");
            }
            positive("lookupdPollInterval", lookupdPollInterval);
            if (!(lookupdPollJitter >= 0 && lookupdPollJitter <= 1)) {
                throw new IllegalArgumentException("lookupdPollJitter must be within 0..1, got " + lookupdPollJitter);
            }
            if (deflateLevel < 1 || deflateLevel > 9) {
                throw new IllegalArgumentException("deflateLevel must be within 1..9, got " + deflateLevel);
            }
            if (heartbeatInterval.toMillis() < 1000) {
                throw new IllegalArgumentException(
                        "heartbeatInterval must be at least 1 s (nsqd's minimum), got " + heartbeatInterval);
            }
            positive("connectTimeout", connectTimeout);
            positive("responseTimeout", responseTimeout);
            positive("rdyRedistributeInterval", rdyRedistributeInterval);
            positive("lowRdyIdleTimeout", lowRdyIdleTimeout);
            positive("lowRdyTimeout", lowRdyTimeout);
            if (publishLinger.isNegative()) {
                throw new IllegalArgumentException("publishLinger must not be negative, got " + publishLinger);
            }
            positive("publishConnections", publishConnections);
            positive("publishBatchMessages", publishBatchMessages);
            positive("publishBatchBytes", publishBatchBytes);
            positive("maxMessageSize", maxMessageSize);
            positive("maxBodySize", maxBodySize);
            positive("maxPendingPublishBytes", maxPendingPublishBytes);
            positive("handlerThreads", handlerThreads);
            if (hostname == null) {
                hostname = localHostName();
            }
            if (clientId == null) {
                int dot = hostname.indexOf('.');
                clientId = dot > 0 ? hostname.substring(0, dot) : hostname;
            }
            return new ConnectOptions(this);
        }

        private static String localHostName() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "localhost";
            }
        }

        private static String checkAddress(String what, String address) {
            Objects.requireNonNull(address, what);
            int colon = address.lastIndexOf(':');
            boolean ok = colon > 0 && colon < address.length() - 1;
            if (ok) {
                try {
                    int port = Integer.parseInt(address.substring(colon + 1));
                    ok = port > 0 && port < 65536;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new IllegalArgumentException(what + " must be host:port, got \"" + address + '"');
            }
            return address;
        }

        private static void positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }

        private static void positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }
    }
}
