package dev.ferry.nsq;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The settings of a bus connected to brokers over NSQ's protocol ({@link NsqBus#connect(ConnectOptions)}),
 * grouped as a reader looks for them:
 *
 * <ul>
 *   <li>{@link DiscoveryOptions}: where the brokers are (nsqd addresses, lookupd and its polling);
 *   <li>{@link SocketOptions}: connecting and reconnecting;
 *   <li>{@link TimeoutOptions}: answers and heartbeats;
 *   <li>{@link SecurityOptions}: TLS and the AUTH secret;
 *   <li>{@link CompressionOptions}: snappy or DEFLATE;
 *   <li>{@link FlowControlOptions}: RDY spread over connections, backoff after handler failures;
 *   <li>{@link PublishOptions}: MPUB batching, publishing connections, size bounds;
 *   <li>{@link IdentityOptions}: what IDENTIFY says about the client;
 * </ul>
 *
 * plus the handler threads and the clock. Each group is an immutable record validated when built;
 * {@link Builder#build()} adds the one rule across groups (a bus needs an nsqd TCP or a lookupd HTTP
 * address). Durations sized for production are the defaults (as go-nsq's); tests shorten them.
 *
 * <pre>{@code
 * ConnectOptions options = ConnectOptions.lookupd("10.0.0.5:4161")
 *         .timeouts(t -> t.heartbeatInterval(Duration.ofSeconds(5)))
 *         .compression(CompressionOptions.snappy())
 *         .build();
 * }</pre>
 *
 * @param discovery where the brokers are
 * @param socket how connections are made and re-made
 * @param timeouts how long the client waits on a broker
 * @param security TLS and the AUTH secret
 * @param compression the compression asked for in IDENTIFY
 * @param flowControl how RDY is spread and how failures back off
 * @param publishing how publishes are sent and bounded
 * @param identity what IDENTIFY says about the client
 * @param handlerThreads threads that run handlers (default the number of processors, at least 2)
 * @param clock the clock of idle and timeout decisions (tests pass their own; default UTC system)
 */
public record ConnectOptions(
        DiscoveryOptions discovery,
        SocketOptions socket,
        TimeoutOptions timeouts,
        SecurityOptions security,
        CompressionOptions compression,
        FlowControlOptions flowControl,
        PublishOptions publishing,
        IdentityOptions identity,
        int handlerThreads,
        Clock clock) {

    /**
     * Validates the settings across groups.
     *
     * @throws IllegalArgumentException when there is neither an nsqd TCP nor a lookupd HTTP address,
     *     or handler threads are not positive
     */
    public ConnectOptions {
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(flowControl, "flowControl");
        Objects.requireNonNull(publishing, "publishing");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(clock, "clock");
        if (!discovery.hasBroker()) {
            throw new IllegalArgumentException("a connected bus needs an nsqd TCP address or a lookupd HTTP address");
        }
        Check.positive("handlerThreads", handlerThreads);
    }

    /** A builder with the defaults and no address yet. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder for the given nsqd TCP addresses ({@code host:port}).
     *
     * @throws IllegalArgumentException when an address is not {@code host:port}
     */
    public static Builder nsqd(String... tcpAddresses) {
        Builder b = new Builder();
        for (String a : tcpAddresses) {
            b.nsqd(a);
        }
        return b;
    }

    /**
     * A builder for the given lookupd HTTP addresses ({@code host:port}).
     *
     * @throws IllegalArgumentException when an address is not {@code host:port}
     */
    public static Builder lookupd(String... httpAddresses) {
        Builder b = new Builder();
        for (String a : httpAddresses) {
            b.lookupd(a);
        }
        return b;
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.discovery = discovery.toBuilder();
        b.socket = socket.toBuilder();
        b.timeouts = timeouts.toBuilder();
        b.security = security.toBuilder();
        b.compression = compression;
        b.flowControl = flowControl.toBuilder();
        b.publishing = publishing.toBuilder();
        b.identity = identity.toBuilder();
        b.handlerThreads = handlerThreads;
        b.clock = clock;
        return b;
    }

    @Override
    public String toString() {
        return "ConnectOptions[nsqd=" + discovery.nsqdTcpAddresses() + ", lookupd=" + discovery.lookupdHttpAddresses()
                + ", nsqdHttp=" + discovery.nsqdHttpAddresses() + ", tls="
                + security.tls().isPresent()
                + ", compression=" + compression.algorithm() + ", auth="
                + security.authSecret().isPresent() + "]";
    }

    /**
     * Collects the groups, each with its defaults until set; {@link #build()} validates each group,
     * then the rule across them. A group is either replaced by a built value ({@code
     * timeouts(TimeoutOptions)}) or adjusted in place ({@code timeouts(t -> t.heartbeatInterval(...))}),
     * so a shared base builder and a caller's adjustments compose. The addresses have shortcuts here,
     * since every bus needs one. Not thread-safe.
     */
    public static final class Builder {
        private DiscoveryOptions.Builder discovery = DiscoveryOptions.builder();
        private SocketOptions.Builder socket = SocketOptions.builder();
        private TimeoutOptions.Builder timeouts = TimeoutOptions.builder();
        private SecurityOptions.Builder security = SecurityOptions.builder();
        private CompressionOptions compression = CompressionOptions.NONE;
        private FlowControlOptions.Builder flowControl = FlowControlOptions.builder();
        private PublishOptions.Builder publishing = PublishOptions.builder();
        private IdentityOptions.Builder identity = IdentityOptions.builder();
        private int handlerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /**
         * Adds an nsqd TCP address ({@code host:port}) to the discovery settings.
         *
         * @throws IllegalArgumentException when it is not {@code host:port}
         */
        public Builder nsqd(String tcpAddress) {
            discovery.nsqd(tcpAddress);
            return this;
        }

        /**
         * Adds a lookupd HTTP address ({@code host:port}) to the discovery settings.
         *
         * @throws IllegalArgumentException when it is not {@code host:port}
         */
        public Builder lookupd(String httpAddress) {
            discovery.lookupd(httpAddress);
            return this;
        }

        /**
         * Adds an nsqd HTTP address ({@code host:port}) for the admin to the discovery settings.
         *
         * @throws IllegalArgumentException when it is not {@code host:port}
         */
        public Builder nsqdHttp(String httpAddress) {
            discovery.nsqdHttp(httpAddress);
            return this;
        }

        /** Replaces the discovery settings, addresses included. */
        public Builder discovery(DiscoveryOptions value) {
            this.discovery = Objects.requireNonNull(value, "discovery").toBuilder();
            return this;
        }

        /** Adjusts the discovery settings (e.g. the lookupd polling). */
        public Builder discovery(Consumer<DiscoveryOptions.Builder> tune) {
            tune.accept(discovery);
            return this;
        }

        /** Replaces how connections are made and re-made (default {@link SocketOptions#DEFAULT}). */
        public Builder socket(SocketOptions value) {
            this.socket = Objects.requireNonNull(value, "socket").toBuilder();
            return this;
        }

        /** Adjusts how connections are made and re-made. */
        public Builder socket(Consumer<SocketOptions.Builder> tune) {
            tune.accept(socket);
            return this;
        }

        /** Replaces the response timeout and heartbeats (default {@link TimeoutOptions#DEFAULT}). */
        public Builder timeouts(TimeoutOptions value) {
            this.timeouts = Objects.requireNonNull(value, "timeouts").toBuilder();
            return this;
        }

        /** Adjusts the response timeout and heartbeats. */
        public Builder timeouts(Consumer<TimeoutOptions.Builder> tune) {
            tune.accept(timeouts);
            return this;
        }

        /** Replaces TLS and the AUTH secret (default {@link SecurityOptions#NONE}). */
        public Builder security(SecurityOptions value) {
            this.security = Objects.requireNonNull(value, "security").toBuilder();
            return this;
        }

        /** Adjusts TLS and the AUTH secret. */
        public Builder security(Consumer<SecurityOptions.Builder> tune) {
            tune.accept(security);
            return this;
        }

        /** Sets the compression asked for (default {@link CompressionOptions#NONE}). */
        public Builder compression(CompressionOptions value) {
            this.compression = Objects.requireNonNull(value, "compression");
            return this;
        }

        /** Replaces RDY redistribution and the failure backoff (default {@link FlowControlOptions#DEFAULT}). */
        public Builder flowControl(FlowControlOptions value) {
            this.flowControl = Objects.requireNonNull(value, "flowControl").toBuilder();
            return this;
        }

        /** Adjusts RDY redistribution and the failure backoff. */
        public Builder flowControl(Consumer<FlowControlOptions.Builder> tune) {
            tune.accept(flowControl);
            return this;
        }

        /** Replaces publish batching and bounds (default {@link PublishOptions#DEFAULT}). */
        public Builder publishing(PublishOptions value) {
            this.publishing = Objects.requireNonNull(value, "publishing").toBuilder();
            return this;
        }

        /** Adjusts publish batching and bounds. */
        public Builder publishing(Consumer<PublishOptions.Builder> tune) {
            tune.accept(publishing);
            return this;
        }

        /** Replaces what IDENTIFY says (default: the local host names and {@code ferry-java}). */
        public Builder identity(IdentityOptions value) {
            this.identity = Objects.requireNonNull(value, "identity").toBuilder();
            return this;
        }

        /** Adjusts what IDENTIFY says. */
        public Builder identity(Consumer<IdentityOptions.Builder> tune) {
            tune.accept(identity);
            return this;
        }

        /** Sets the number of handler threads (default the number of processors, at least 2). */
        public Builder handlerThreads(int value) {
            this.handlerThreads = value;
            return this;
        }

        /** Sets the clock of idle and timeout decisions (default the UTC system clock). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Validates and seals the settings: each group, then the rule across them.
         *
         * @throws IllegalArgumentException naming the setting and its value
         */
        public ConnectOptions build() {
            return new ConnectOptions(
                    discovery.build(),
                    socket.build(),
                    timeouts.build(),
                    security.build(),
                    compression,
                    flowControl.build(),
                    publishing.build(),
                    identity.build(),
                    handlerThreads,
                    clock);
        }
    }
}
