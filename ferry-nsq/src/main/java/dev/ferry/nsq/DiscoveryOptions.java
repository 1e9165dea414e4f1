package dev.ferry.nsq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the brokers are: nsqd TCP addresses to connect to directly, lookupd HTTP addresses polled
 * for a topic's producers, and nsqd HTTP addresses for the admin. Addresses are {@code host:port}.
 * Consumers connect to the nsqd addresses given and to every producer lookupd lists for the topic;
 * publishers use the nsqd addresses given, else every node lookupd lists. Immutable; validated when
 * built.
 *
 * @param nsqdTcpAddresses the nsqd TCP addresses to connect to directly (reconnected whenever lost)
 * @param lookupdHttpAddresses the lookupd HTTP addresses polled for a topic's producers (and the
 *     nodes to publish to)
 * @param nsqdHttpAddresses the nsqd HTTP addresses the {@link dev.ferry.BusAdmin} uses; when empty,
 *     the admin uses the nodes lookupd lists
 * @param lookupdPollInterval how often lookupd is polled (default 60 s, as go-nsq); positive
 * @param lookupdPollJitter the fraction of the poll interval by which each poll is randomly delayed,
 *     0 to 1 (default 0.3, as go-nsq), so that many clients do not poll in step
 */
public record DiscoveryOptions(
        List<String> nsqdTcpAddresses,
        List<String> lookupdHttpAddresses,
        List<String> nsqdHttpAddresses,
        Duration lookupdPollInterval,
        double lookupdPollJitter) {

    /**
     * Validates and copies the settings. Either list of addresses may be empty here; {@link
     * ConnectOptions.Builder#build()} requires an nsqd TCP or a lookupd HTTP address.
     *
     * @throws IllegalArgumentException naming the setting and its value
     */
    public DiscoveryOptions {
        nsqdTcpAddresses = List.copyOf(Objects.requireNonNull(nsqdTcpAddresses, "nsqd TCP addresses"));
        nsqdTcpAddresses.forEach(a -> Check.tcpOrFederation("nsqd TCP address", a));
        lookupdHttpAddresses = addresses("lookupd HTTP address", lookupdHttpAddresses);
        nsqdHttpAddresses = addresses("nsqd HTTP address", nsqdHttpAddresses);
        Check.positive("lookupdPollInterval", lookupdPollInterval);
        if (!(lookupdPollJitter >= 0 && lookupdPollJitter <= 1)) {
            throw new IllegalArgumentException("lookupdPollJitter must be within 0..1, got " + lookupdPollJitter);
        }
    }

    /** A builder with no address and the default polling. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.nsqdTcpAddresses.addAll(nsqdTcpAddresses);
        b.lookupdHttpAddresses.addAll(lookupdHttpAddresses);
        b.nsqdHttpAddresses.addAll(nsqdHttpAddresses);
        b.lookupdPollInterval = lookupdPollInterval;
        b.lookupdPollJitter = lookupdPollJitter;
        return b;
    }

    /** Whether there is an nsqd TCP or a lookupd HTTP address, which a connected bus needs. */
    public boolean hasBroker() {
        return !nsqdTcpAddresses.isEmpty() || !lookupdHttpAddresses.isEmpty();
    }

    private static List<String> addresses(String what, List<String> values) {
        Objects.requireNonNull(values, what + "es");
        values.forEach(a -> Check.address(what, a));
        return List.copyOf(values);
    }

    /** Collects discovery settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final List<String> nsqdTcpAddresses = new ArrayList<>();
        private final List<String> lookupdHttpAddresses = new ArrayList<>();
        private final List<String> nsqdHttpAddresses = new ArrayList<>();
        private Duration lookupdPollInterval = Duration.ofSeconds(60);
        private double lookupdPollJitter = 0.3;

        private Builder() {}

        /**
         * Adds an nsqd TCP address ({@code host:port}), or a federation address ({@code
         * ws://host:port/federate} or {@code wss://...}): a broker's HTTP port that carries the TCP
         * protocol inside a WebSocket (the key that answers its challenge is {@link
         * SecurityOptions#federationKey()}). A {@code ws://} address also serves as an nsqd HTTP address
         * for the admin and the queue state, since the same port answers both.
         *
         * @throws IllegalArgumentException when it is neither {@code host:port} nor a WebSocket URL
         */
        public Builder nsqd(String tcpAddress) {
            nsqdTcpAddresses.add(Check.tcpOrFederation("nsqd TCP address", tcpAddress));
            if (dev.ferry.nsq.internal.federation.FederationUrl.isWebSocket(tcpAddress)) {
                var url = dev.ferry.nsq.internal.federation.FederationUrl.parse(tcpAddress);
                if (!url.secure() && !nsqdHttpAddresses.contains(url.httpAddress())) {
                    nsqdHttpAddresses.add(url.httpAddress());
                }
            }
            return this;
        }

        /**
         * Adds a lookupd HTTP address ({@code host:port}).
         *
         * @throws IllegalArgumentException when it is not {@code host:port}
         */
        public Builder lookupd(String httpAddress) {
            lookupdHttpAddresses.add(Check.address("lookupd HTTP address", httpAddress));
            return this;
        }

        /**
         * Adds an nsqd HTTP address ({@code host:port}) for the admin.
         *
         * @throws IllegalArgumentException when it is not {@code host:port}
         */
        public Builder nsqdHttp(String httpAddress) {
            nsqdHttpAddresses.add(Check.address("nsqd HTTP address", httpAddress));
            return this;
        }

        /** Sets the lookupd poll interval (default 60 s) and its jitter fraction (0 to 1, default 0.3). */
        public Builder lookupdPoll(Duration interval, double jitter) {
            this.lookupdPollInterval = Objects.requireNonNull(interval, "lookupdPollInterval");
            this.lookupdPollJitter = jitter;
            return this;
        }

        /**
         * Validates and seals the settings.
         *
         * @throws IllegalArgumentException naming the setting and its value
         */
        public DiscoveryOptions build() {
            return new DiscoveryOptions(
                    nsqdTcpAddresses, lookupdHttpAddresses, nsqdHttpAddresses, lookupdPollInterval, lookupdPollJitter);
        }
    }
}
