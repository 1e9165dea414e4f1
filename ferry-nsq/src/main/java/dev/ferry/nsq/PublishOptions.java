package dev.ferry.nsq;

import java.time.Duration;
import java.util.Objects;

/**
 * How the client sends publishes: connections per broker, how publishes share an MPUB, and the
 * bounds checked before anything is sent. Sizes are in body bytes. Immutable; validated when built.
 *
 * @param linger how long an asynchronous publish may wait for others to share its MPUB (default 0:
 *     a publish is sent at once, and publishes that arrive while the connection is busy share the
 *     next MPUB); not negative
 * @param connections publishing connections per broker (default 1): a broker reads one connection's
 *     commands in order, so publishers that need more than one connection's throughput use more
 * @param batchMessages the most messages one MPUB carries when publishes are combined (default 1,000)
 * @param batchBytes the most body bytes one MPUB carries when publishes are combined (default 1 MiB)
 * @param maxMessageSize the largest message body accepted before sending (default 1 MiB, nsqd's
 *     {@code --max-msg-size})
 * @param maxBodySize the largest batch in body bytes (default 5 MiB, nsqd's {@code --max-body-size})
 * @param maxPendingPublishBytes the most body bytes of publishes sent or queued and not yet answered
 *     (default 64 MiB); past it a publish is rejected with {@link dev.ferry.PublishRejectedException}
 */
public record PublishOptions(
        Duration linger,
        int connections,
        int batchMessages,
        int batchBytes,
        int maxMessageSize,
        int maxBodySize,
        long maxPendingPublishBytes) {
    /** The defaults. */
    public static final PublishOptions DEFAULT = builder().build();

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the setting and its value
     */
    public PublishOptions {
        Check.notNegative("publish linger", linger);
        Check.positive("publish connections", connections);
        Check.positive("publish batchMessages", batchMessages);
        Check.positive("publish batchBytes", batchBytes);
        Check.positive("maxMessageSize", maxMessageSize);
        Check.positive("maxBodySize", maxBodySize);
        Check.positive("maxPendingPublishBytes", maxPendingPublishBytes);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder()
                .linger(linger)
                .connections(connections)
                .batch(batchMessages, batchBytes)
                .maxMessageSize(maxMessageSize)
                .maxBodySize(maxBodySize)
                .maxPendingPublishBytes(maxPendingPublishBytes);
    }

    /** Collects publish settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private Duration linger = Duration.ZERO;
        private int connections = 1;
        private int batchMessages = 1000;
        private int batchBytes = 1 << 20;
        private int maxMessageSize = 1 << 20;
        private int maxBodySize = 5 << 20;
        private long maxPendingPublishBytes = 64L << 20;

        private Builder() {}

        /** Sets the publish linger (default 0). */
        public Builder linger(Duration value) {
            this.linger = Objects.requireNonNull(value, "publish linger");
            return this;
        }

        /** Sets the number of publishing connections per broker (default 1). */
        public Builder connections(int value) {
            this.connections = value;
            return this;
        }

        /** Sets how many messages (default 1,000) and body bytes (default 1 MiB) one combined MPUB may carry. */
        public Builder batch(int messages, int bytes) {
            this.batchMessages = messages;
            this.batchBytes = bytes;
            return this;
        }

        /** Sets the largest message body (default 1 MiB). */
        public Builder maxMessageSize(int value) {
            this.maxMessageSize = value;
            return this;
        }

        /** Sets the largest batch in body bytes (default 5 MiB). */
        public Builder maxBodySize(int value) {
            this.maxBodySize = value;
            return this;
        }

        /** Sets the bound of unanswered publish bytes (default 64 MiB). */
        public Builder maxPendingPublishBytes(long value) {
            this.maxPendingPublishBytes = value;
            return this;
        }

        /**
         * Validates and seals the settings.
         *
         * @throws IllegalArgumentException naming the setting and its value
         */
        public PublishOptions build() {
            return new PublishOptions(
                    linger,
                    connections,
                    batchMessages,
                    batchBytes,
                    maxMessageSize,
                    maxBodySize,
                    maxPendingPublishBytes);
        }
    }
}
