package dev.ferry;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a bus over an engine in the same process ({@link Bus#open(String)}, {@link
 * Bus#builder()}): what the bus itself checks and bounds before a message reaches the engine, and
 * the threads and clock it runs with. Validated once by {@link Builder#build()}, immutable after
 * that. Every bound has a policy and a counter in the statistics.
 *
 * <p>The storage settings (data directory, sync policy, segments, retention, channel depth, disk
 * limits, the ephemeral bound) are the engine's, not the bus's: see {@link EmbeddedEngineConfig}, or
 * the parameters of the engine's URI. What stays here, and why:
 *
 * <ul>
 *   <li>{@link #maxMessageSize()} and {@link #maxBatchSize()}: the bus refuses an oversized publish
 *       before it takes memory or reaches any engine (an engine may have a bound of its own);
 *   <li>{@link #maxPendingPublishBytes()} and {@link #pendingPublishTimeout()}: they bound the bus's
 *       asynchronous publishes that the engine has not yet made durable, in the bus's memory;
 *   <li>{@link #handlerThreads()}: the bus runs the handlers;
 *   <li>{@link #maxRequeueDelay()}: the bus clamps the delays it passes on (a broker has its own
 *       {@code --max-req-timeout}); an engine stores the delays it is given;
 *   <li>{@link #maxPendingQueries()}: the bus keeps the pending queries;
 *   <li>{@link #clock()}: the bus's timeouts; the bus hands it to the engine it opens.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class BusConfig {
    private final int maxMessageSize;
    private final int maxBatchSize;
    private final long maxPendingPublishBytes;
    private final Duration pendingPublishTimeout;
    private final int handlerThreads;
    private final Duration maxRequeueDelay;
    private final int maxPendingQueries;
    private final Clock clock;

    private BusConfig(Builder b) {
        this.maxMessageSize = b.maxMessageSize;
        this.maxBatchSize = b.maxBatchSize;
        this.maxPendingPublishBytes = b.maxPendingPublishBytes;
        this.pendingPublishTimeout = b.pendingPublishTimeout;
        this.handlerThreads = b.handlerThreads;
        this.maxRequeueDelay = b.maxRequeueDelay;
        this.maxPendingQueries = b.maxPendingQueries;
        this.clock = b.clock;
    }

    /** The default settings. */
    public static BusConfig defaults() {
        return builder().build();
    }

    /** A builder with the default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The largest message body in bytes (default 1 MiB, as nsqd). */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** The largest batch in body bytes (default 5 MiB, as nsqd's max body size). */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /**
     * The most body bytes of asynchronous publishes not yet durable (default 64 MiB); a caller past it
     * waits up to {@link #pendingPublishTimeout()} and then gets a {@link PublishRejectedException}.
     */
    public long maxPendingPublishBytes() {
        return maxPendingPublishBytes;
    }

    /** How long an asynchronous publish waits for room under the pending bound (default 30 s). */
    public Duration pendingPublishTimeout() {
        return pendingPublishTimeout;
    }

    /** The threads that run message handlers (default twice the processors, at least 4). */
    public int handlerThreads() {
        return handlerThreads;
    }

    /** The longest requeue or deferral delay; longer ones are clamped (default 1 h, as nsqd). */
    public Duration maxRequeueDelay() {
        return maxRequeueDelay;
    }

    /**
     * The most queries ({@link Bus#queryAsync}) waiting for their reply at once (default 100,000);
     * past it a query fails at once.
     */
    public int maxPendingQueries() {
        return maxPendingQueries;
    }

    /**
     * The clock for timestamps, timeouts and due times (default the system UTC clock); also the
     * clock of the engine the bus opens.
     */
    public Clock clock() {
        return clock;
    }

    /** A builder initialised with this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxMessageSize = maxMessageSize;
        b.maxBatchSize = maxBatchSize;
        b.maxPendingPublishBytes = maxPendingPublishBytes;
        b.pendingPublishTimeout = pendingPublishTimeout;
        b.handlerThreads = handlerThreads;
        b.maxRequeueDelay = maxRequeueDelay;
        b.maxPendingQueries = maxPendingQueries;
        b.clock = clock;
        return b;
    }

    /** Collects settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private int maxMessageSize = 1 << 20;
        private int maxBatchSize = 5 << 20;
        private long maxPendingPublishBytes = 64L << 20;
        private Duration pendingPublishTimeout = Duration.ofSeconds(30);
        private int handlerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private Duration maxRequeueDelay = Duration.ofHours(1);
        private int maxPendingQueries = 100_000;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Sets the largest message body in bytes. */
        public Builder maxMessageSize(int value) {
            this.maxMessageSize = value;
            return this;
        }

        /** Sets the largest batch in body bytes. */
        public Builder maxBatchSize(int value) {
            this.maxBatchSize = value;
            return this;
        }

        /** Sets the bound of pending asynchronous publish bytes. */
        public Builder maxPendingPublishBytes(long value) {
            this.maxPendingPublishBytes = value;
            return this;
        }

        /** Sets how long an asynchronous publish waits for room. */
        public Builder pendingPublishTimeout(Duration value) {
            this.pendingPublishTimeout = Objects.requireNonNull(value, "pendingPublishTimeout");
            return this;
        }

        /** Sets the number of handler threads. */
        public Builder handlerThreads(int value) {
            this.handlerThreads = value;
            return this;
        }

        /** Sets the longest requeue or deferral delay. */
        public Builder maxRequeueDelay(Duration value) {
            this.maxRequeueDelay = Objects.requireNonNull(value, "maxRequeueDelay");
            return this;
        }

        /** Sets the most queries waiting for their reply at once. */
        public Builder maxPendingQueries(int value) {
            this.maxPendingQueries = value;
            return this;
        }

        /** Sets the clock (tests inject one they control). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Validates and seals the settings.
         *
         * @throws IllegalArgumentException naming the setting and its value
         */
        public BusConfig build() {
            positive("maxMessageSize", maxMessageSize);
            positive("maxBatchSize", maxBatchSize);
            positive("maxPendingPublishBytes", maxPendingPublishBytes);
            positive("handlerThreads", handlerThreads);
            positive("maxPendingQueries", maxPendingQueries);
            if (maxRequeueDelay.isNegative()) {
                throw new IllegalArgumentException("maxRequeueDelay must not be negative, got " + maxRequeueDelay);
            }
            if (maxBatchSize < maxMessageSize) {
                throw new IllegalArgumentException(
                        "maxBatchSize (" + maxBatchSize + ") must be at least maxMessageSize (" + maxMessageSize + ")");
            }
            return new BusConfig(this);
        }

        private static void positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }
    }
}
