package dev.ferry.nsq;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the client waits on a broker once connected. Immutable; validated when built.
 *
 * @param responseTimeout how long the client waits for a broker's answer to the handshake or to a
 *     publish before failing it and closing the connection (default 10 s); positive
 * @param heartbeatInterval the heartbeat interval asked for in IDENTIFY (default 30 s); a connection
 *     that hears nothing for twice that is closed and reconnected. At least 1 s, nsqd's minimum;
 *     nsqd allows up to its {@code --max-heartbeat-interval}
 */
public record TimeoutOptions(Duration responseTimeout, Duration heartbeatInterval) {
    /** The defaults: 10 s for an answer, heartbeats every 30 s. */
    public static final TimeoutOptions DEFAULT = builder().build();

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the setting and its value
     */
    public TimeoutOptions {
        Check.positive("responseTimeout", responseTimeout);
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.toMillis() < 1000) {
            throw new IllegalArgumentException(
                    "heartbeatInterval must be at least 1 s (nsqd's minimum), got " + heartbeatInterval);
        }
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder().responseTimeout(responseTimeout).heartbeatInterval(heartbeatInterval);
    }

    /** Collects timeouts; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private Duration responseTimeout = Duration.ofSeconds(10);
        private Duration heartbeatInterval = Duration.ofSeconds(30);

        private Builder() {}

        /** Sets how long an answer from a broker may take (default 10 s). */
        public Builder responseTimeout(Duration value) {
            this.responseTimeout = Objects.requireNonNull(value, "responseTimeout");
            return this;
        }

        /** Sets the heartbeat interval (default 30 s, at least 1 s). */
        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = Objects.requireNonNull(value, "heartbeatInterval");
            return this;
        }

        /**
         * Validates and seals the settings.
         *
         * @throws IllegalArgumentException naming the setting and its value
         */
        public TimeoutOptions build() {
            return new TimeoutOptions(responseTimeout, heartbeatInterval);
        }
    }
}
