package dev.ferry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of an embedded or in-memory bus, validated once by {@link Builder#build()} and
 * immutable after that. Every bound has a policy and a counter in the statistics.
 */
public final class BusConfig {
    private final Path dataDir;
    private final SyncPolicy syncPolicy;
    private final Duration syncInterval;
    private final int maxMessageSize;
    private final int maxBatchSize;
    private final int memQueueSize;
    private final long maxPendingPublishBytes;
    private final Duration pendingPublishTimeout;
    private final long channelMaxDepth;
    private final DepthPolicy depthPolicy;
    private final long retentionBytes;
    private final Duration retentionAge;
    private final long maxDataBytes;
    private final long minFreeDiskBytes;
    private final int segmentBytes;
    private final long journalSnapshotBytes;
    private final int handlerThreads;
    private final Duration maxRequeueDelay;
    private final int maxPendingQueries;
    private final Clock clock;

    private BusConfig(Builder b) {
        this.dataDir = b.dataDir;
        this.syncPolicy = b.syncPolicy;
        this.syncInterval = b.syncInterval;
        this.maxMessageSize = b.maxMessageSize;
        this.maxBatchSize = b.maxBatchSize;
        this.memQueueSize = b.memQueueSize;
        this.maxPendingPublishBytes = b.maxPendingPublishBytes;
        this.pendingPublishTimeout = b.pendingPublishTimeout;
        this.channelMaxDepth = b.channelMaxDepth;
        this.depthPolicy = b.depthPolicy;
        this.retentionBytes = b.retentionBytes;
        this.retentionAge = b.retentionAge;
        this.maxDataBytes = b.maxDataBytes;
        this.minFreeDiskBytes = b.minFreeDiskBytes;
        this.segmentBytes = b.segmentBytes;
        this.journalSnapshotBytes = b.journalSnapshotBytes;
        this.handlerThreads = b.handlerThreads;
        this.maxRequeueDelay = b.maxRequeueDelay;
        this.maxPendingQueries = b.maxPendingQueries;
        this.clock = b.clock;
    }

    /** A builder for an embedded bus storing under {@code dataDir}. */
    public static Builder embedded(Path dataDir) {
        return new Builder().dataDir(Objects.requireNonNull(dataDir, "dataDir"));
    }

    /** A builder for a bus that keeps everything in memory. */
    public static Builder inMemory() {
        return new Builder();
    }

    /** The data directory, or empty for an in-memory bus. */
    public Optional<Path> dataDir() {
        return Optional.ofNullable(dataDir);
    }

    /** When written data is forced to disk (default {@link SyncPolicy#INTERVAL}). */
    public SyncPolicy syncPolicy() {
        return syncPolicy;
    }

    /** The fsync period of {@link SyncPolicy#INTERVAL} (default 100 ms). */
    public Duration syncInterval() {
        return syncInterval;
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
     * The bound of each ephemeral topic and channel in messages (default 10,000, as nsqd's
     * mem-queue-size); past it the oldest ready messages are dropped and counted.
     */
    public int memQueueSize() {
        return memQueueSize;
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

    /** The most ready messages a durable channel holds, or 0 for no bound (default 0). */
    public long channelMaxDepth() {
        return channelMaxDepth;
    }

    /** What a channel at its maximum depth does (default {@link DepthPolicy#REJECT}). */
    public DepthPolicy depthPolicy() {
        return depthPolicy;
    }

    /** The most bytes a topic's log keeps before its oldest segments go, or 0 for no bound. */
    public long retentionBytes() {
        return retentionBytes;
    }

    /** The longest a topic keeps a message, or zero for no bound. */
    public Duration retentionAge() {
        return retentionAge;
    }

    /** The most bytes the data directory's logs may hold, or 0 for no bound; past it publishes fail. */
    public long maxDataBytes() {
        return maxDataBytes;
    }

    /** The free disk space below which publishes fail (default 64 MiB). */
    public long minFreeDiskBytes() {
        return minFreeDiskBytes;
    }

    /** The size at which a topic's log starts a new segment file (default 64 MiB). */
    public int segmentBytes() {
        return segmentBytes;
    }

    /** The journal size at which a channel writes a snapshot and starts a new journal (4 MiB). */
    public long journalSnapshotBytes() {
        return journalSnapshotBytes;
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

    /** The clock for timestamps, timeouts and due times (default the system UTC clock). */
    public Clock clock() {
        return clock;
    }

    /** A builder initialised with this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.dataDir = dataDir;
        b.syncPolicy = syncPolicy;
        b.syncInterval = syncInterval;
        b.maxMessageSize = maxMessageSize;
        b.maxBatchSize = maxBatchSize;
        b.memQueueSize = memQueueSize;
        b.maxPendingPublishBytes = maxPendingPublishBytes;
        b.pendingPublishTimeout = pendingPublishTimeout;
        b.channelMaxDepth = channelMaxDepth;
        b.depthPolicy = depthPolicy;
        b.retentionBytes = retentionBytes;
        b.retentionAge = retentionAge;
        b.maxDataBytes = maxDataBytes;
        b.minFreeDiskBytes = minFreeDiskBytes;
        b.segmentBytes = segmentBytes;
        b.journalSnapshotBytes = journalSnapshotBytes;
        b.handlerThreads = handlerThreads;
        b.maxRequeueDelay = maxRequeueDelay;
        b.maxPendingQueries = maxPendingQueries;
        b.clock = clock;
        return b;
    }

    /** Collects settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private Path dataDir;
        private SyncPolicy syncPolicy = SyncPolicy.INTERVAL;
        private Duration syncInterval = Duration.ofMillis(100);
        private int maxMessageSize = 1 << 20;
        private int maxBatchSize = 5 << 20;
        private int memQueueSize = 10_000;
        private long maxPendingPublishBytes = 64L << 20;
        private Duration pendingPublishTimeout = Duration.ofSeconds(30);
        private long channelMaxDepth = 0;
        private DepthPolicy depthPolicy = DepthPolicy.REJECT;
        private long retentionBytes = 0;
        private Duration retentionAge = Duration.ZERO;
        private long maxDataBytes = 0;
        private long minFreeDiskBytes = 64L << 20;
        private int segmentBytes = 64 << 20;
        private long journalSnapshotBytes = 4L << 20;
        private int handlerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private Duration maxRequeueDelay = Duration.ofHours(1);
        private int maxPendingQueries = 100_000;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Sets the data directory (null: in memory). */
        public Builder dataDir(Path value) {
            this.dataDir = value;
            return this;
        }

        /** Sets the sync policy. */
        public Builder syncPolicy(SyncPolicy value) {
            this.syncPolicy = Objects.requireNonNull(value, "syncPolicy");
            return this;
        }

        /** Sets the fsync period of {@link SyncPolicy#INTERVAL}. */
        public Builder syncInterval(Duration value) {
            this.syncInterval = Objects.requireNonNull(value, "syncInterval");
            return this;
        }

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

        /** Sets the bound of ephemeral topics and channels in messages. */
        public Builder memQueueSize(int value) {
            this.memQueueSize = value;
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

        /** Sets the maximum depth of durable channels (0: none) and the policy past it. */
        public Builder channelMaxDepth(long value, DepthPolicy policy) {
            this.channelMaxDepth = value;
            this.depthPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Sets the per-topic retention: bytes (0: none) and age (zero: none). */
        public Builder retention(long bytes, Duration age) {
            this.retentionBytes = bytes;
            this.retentionAge = Objects.requireNonNull(age, "age");
            return this;
        }

        /** Sets the most bytes the logs may hold (0: none). */
        public Builder maxDataBytes(long value) {
            this.maxDataBytes = value;
            return this;
        }

        /** Sets the free disk space below which publishes fail. */
        public Builder minFreeDiskBytes(long value) {
            this.minFreeDiskBytes = value;
            return this;
        }

        /** Sets the segment size of topic logs. */
        public Builder segmentBytes(int value) {
            this.segmentBytes = value;
            return this;
        }

        /** Sets the journal size that triggers a channel snapshot. */
        public Builder journalSnapshotBytes(long value) {
            this.journalSnapshotBytes = value;
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
            positive("syncInterval", syncInterval.toMillis());
            positive("maxMessageSize", maxMessageSize);
            positive("maxBatchSize", maxBatchSize);
            positive("memQueueSize", memQueueSize);
            positive("maxPendingPublishBytes", maxPendingPublishBytes);
            positive("handlerThreads", handlerThreads);
            positive("maxPendingQueries", maxPendingQueries);
            notNegative("channelMaxDepth", channelMaxDepth);
            notNegative("retentionBytes", retentionBytes);
            notNegative("retentionAge", retentionAge.toMillis());
            notNegative("maxDataBytes", maxDataBytes);
            notNegative("minFreeDiskBytes", minFreeDiskBytes);
            notNegative("maxRequeueDelay", maxRequeueDelay.toMillis());
            if (segmentBytes < 4096) {
                throw new IllegalArgumentException("segmentBytes must be at least 4096, got " + segmentBytes);
            }
            if (journalSnapshotBytes < 4096) {
                throw new IllegalArgumentException(
                        "journalSnapshotBytes must be at least 4096, got " + journalSnapshotBytes);
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

        private static void notNegative(String name, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative, got " + value);
            }
        }
    }
}
