package dev.ferry.nsq;

import dev.ferry.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * How the client makes and re-makes its TCP connections to brokers. Immutable; validated when built.
 *
 * @param connectTimeout how long a TCP connect may take (default 5 s); positive
 * @param reconnectBackoff the delay before reconnecting after the n-th failure in a row, jittered
 *     (default 100 ms doubling to 30 s)
 */
public record SocketOptions(Duration connectTimeout, Backoff reconnectBackoff) {
    /** The defaults: 5 s to connect, reconnect after 100 ms doubling to 30 s. */
    public static final SocketOptions DEFAULT = builder().build();

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the setting and its value
     */
    public SocketOptions {
        Check.positive("connectTimeout", connectTimeout);
        Objects.requireNonNull(reconnectBackoff, "reconnectBackoff");
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder().connectTimeout(connectTimeout).reconnectBackoff(reconnectBackoff);
    }

    /** Collects socket settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Backoff reconnectBackoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30));

        private Builder() {}

        /** Sets the TCP connect timeout (default 5 s). */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = Objects.requireNonNull(value, "connectTimeout");
            return this;
        }

        /** Sets the reconnect backoff (default 100 ms to 30 s). */
        public Builder reconnectBackoff(Backoff value) {
            this.reconnectBackoff = Objects.requireNonNull(value, "reconnectBackoff");
            return this;
        }

        /**
         * Validates and seals the settings.
         *
         * @throws IllegalArgumentException naming the setting and its value
         */
        public SocketOptions build() {
            return new SocketOptions(connectTimeout, reconnectBackoff);
        }
    }
}
