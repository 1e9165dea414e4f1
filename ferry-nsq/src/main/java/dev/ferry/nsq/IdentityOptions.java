package dev.ferry.nsq;

import java.util.Objects;

/**
 * What the client tells a broker about itself in IDENTIFY (nsqd shows it in {@code /stats}).
 * Immutable.
 *
 * @param clientId the {@code client_id} (default: the short host name)
 * @param hostname the {@code hostname} (default: the local host name)
 * @param userAgent the {@code user_agent} (default {@code ferry-java})
 */
public record IdentityOptions(String clientId, String hostname, String userAgent) {
    /** Checks that no field is null. */
    public IdentityOptions {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(userAgent, "userAgent");
    }

    /** A builder with the defaults (the host names are looked up when built). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder().clientId(clientId).hostname(hostname).userAgent(userAgent);
    }

    /** Collects identity settings. Not thread-safe. */
    public static final class Builder {
        private String clientId;
        private String hostname;
        private String userAgent = "ferry-java";

        private Builder() {}

        /** Sets the IDENTIFY {@code client_id} (default: the short host name). */
        public Builder clientId(String value) {
            this.clientId = Objects.requireNonNull(value, "clientId");
            return this;
        }

        /** Sets the IDENTIFY {@code hostname} (default: the local host name). */
        public Builder hostname(String value) {
            this.hostname = Objects.requireNonNull(value, "hostname");
            return this;
        }

        /** Sets the IDENTIFY {@code user_agent} (default {@code ferry-java}). */
        public Builder userAgent(String value) {
            this.userAgent = Objects.requireNonNull(value, "userAgent");
            return this;
        }

        /** Seals the settings, looking up the local host name when no host name was set. */
        public IdentityOptions build() {
            String host = hostname != null ? hostname : localHostName();
            String id = clientId;
            if (id == null) {
                int dot = host.indexOf('.');
                id = dot > 0 ? host.substring(0, dot) : host;
            }
            return new IdentityOptions(id, host, userAgent);
        }

        private static String localHostName() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "localhost";
            }
        }
    }
}
