package dev.ferry;

import dev.ferry.spi.EngineUri;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of Ferry's embedded engine: durable in a data directory ({@code file:DIR}) or in
 * memory ({@code memory:}). Validated once by {@link Builder#build()}, immutable after that. Every
 * bound has a policy and a counter in the statistics.
 *
 * <p>These are the engine's settings, not the bus's: they hold however the engine is reached (a bus
 * in the same process, {@code ferry server}'s protocol clients), so they travel with the engine's URI
 * as parameters ({@code file:./data?sync=always&segment-bytes=64MiB}), named by the constants of this
 * class. {@link #parse(EngineUri)} reads such a URI and {@link #uri()} writes one; {@link
 * Bus.Builder#engine(EmbeddedEngineConfig)} opens a bus on the engine these settings describe.
 *
 * <p>Immutable and thread-safe.
 */
public final class EmbeddedEngineConfig {
    /** {@link #syncPolicy()}: {@code always}, {@code interval} or {@code never}. */
    public static final String SYNC = "sync";
    /** {@link #syncInterval()}, a duration ({@code 100ms}). */
    public static final String SYNC_INTERVAL = "sync-interval";
    /** {@link #segmentBytes()}, a size ({@code 64MiB}). */
    public static final String SEGMENT_BYTES = "segment-bytes";
    /** {@link #retentionBytes()}, a size. */
    public static final String RETENTION_BYTES = "retention-bytes";
    /** {@link #retentionAge()}, a duration. */
    public static final String RETENTION_AGE = "retention-age";
    /** {@link #channelMaxDepth()}, a number. */
    public static final String CHANNEL_MAX_DEPTH = "channel-max-depth";
    /** {@link #depthPolicy()}: {@code reject} or {@code drop-oldest}. */
    public static final String DEPTH_POLICY = "depth-policy";
    /** {@link #maxDataBytes()}, a size. */
    public static final String MAX_DATA_BYTES = "max-data-bytes";
    /** {@link #minFreeDiskBytes()}, a size. */
    public static final String MIN_FREE_DISK_BYTES = "min-free-disk-bytes";
    /** {@link #journalSnapshotBytes()}, a size. */
    public static final String JOURNAL_SNAPSHOT_BYTES = "journal-snapshot-bytes";
    /** {@link #tailCacheBytes()}, a size. */
    public static final String TAIL_CACHE_BYTES = "tail-cache-bytes";
    /** {@link #memQueueSize()}, a number. */
    public static final String MEM_QUEUE_SIZE = "mem-queue-size";
    /** {@link #maxMessageBytes()}, a size. */
    public static final String MAX_MESSAGE_BYTES = "max-message-bytes";

    /** The parameters a {@code memory:} engine takes: the bounds that do not concern a disk. */
    public static final Set<String> MEMORY_PARAMETERS =
            Set.of(RETENTION_BYTES, RETENTION_AGE, CHANNEL_MAX_DEPTH, DEPTH_POLICY, MEM_QUEUE_SIZE, MAX_MESSAGE_BYTES);

    /** The parameters a {@code file:} engine takes: every setting of this class. */
    public static final Set<String> FILE_PARAMETERS = Set.of(
            SYNC,
            SYNC_INTERVAL,
            SEGMENT_BYTES,
            RETENTION_BYTES,
            RETENTION_AGE,
            CHANNEL_MAX_DEPTH,
            DEPTH_POLICY,
            MAX_DATA_BYTES,
            MIN_FREE_DISK_BYTES,
            JOURNAL_SNAPSHOT_BYTES,
            TAIL_CACHE_BYTES,
            MEM_QUEUE_SIZE,
            MAX_MESSAGE_BYTES);

    private final Path dataDir;
    private final SyncPolicy syncPolicy;
    private final Duration syncInterval;
    private final int segmentBytes;
    private final long retentionBytes;
    private final Duration retentionAge;
    private final long channelMaxDepth;
    private final DepthPolicy depthPolicy;
    private final long maxDataBytes;
    private final long minFreeDiskBytes;
    private final long journalSnapshotBytes;
    private final long tailCacheBytes;
    private final int memQueueSize;
    private final int maxMessageBytes;

    private EmbeddedEngineConfig(Builder b) {
        this.dataDir = b.dataDir;
        this.syncPolicy = b.syncPolicy;
        this.syncInterval = b.syncInterval;
        this.segmentBytes = b.segmentBytes;
        this.retentionBytes = b.retentionBytes;
        this.retentionAge = b.retentionAge;
        this.channelMaxDepth = b.channelMaxDepth;
        this.depthPolicy = b.depthPolicy;
        this.maxDataBytes = b.maxDataBytes;
        this.minFreeDiskBytes = b.minFreeDiskBytes;
        this.journalSnapshotBytes = b.journalSnapshotBytes;
        this.tailCacheBytes = b.tailCacheBytes;
        this.memQueueSize = b.memQueueSize;
        this.maxMessageBytes = b.maxMessageBytes;
    }

    /** A builder for an engine storing under {@code dataDir} ({@code file:DIR}). */
    public static Builder file(Path dataDir) {
        Builder b = new Builder();
        b.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        return b;
    }

    /** A builder for an engine that keeps everything in memory ({@code memory:}). */
    public static Builder memory() {
        return new Builder();
    }

    /**
     * The settings a {@code file:} or {@code memory:} URI describes: {@code file:./data}, {@code
     * file:/var/lib/ferry}, {@code file:///var/lib/ferry} (relative paths are the process's working
     * directory's), {@code memory:}, each with the parameters named by this class's constants.
     *
     * @throws IllegalArgumentException for another scheme, a {@code file:} URI without a directory or
     *     with a host, a parameter the scheme does not take, or a value out of range, each named
     */
    public static EmbeddedEngineConfig parse(EngineUri uri) {
        Builder b;
        switch (uri.scheme()) {
            case "file" -> b = file(directoryOf(uri));
            case "memory" -> {
                if (!uri.location().isEmpty()) {
                    throw new IllegalArgumentException(
                            "the engine URI memory: takes no location, got '" + uri.withoutParameters() + "'");
                }
                b = memory();
            }
            default ->
                throw new IllegalArgumentException(
                        "the embedded engine serves file: and memory:, not " + uri.scheme() + ":");
        }
        Set<String> known = b.dataDir == null ? MEMORY_PARAMETERS : FILE_PARAMETERS;
        for (String name : uri.parameters().keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("the engine " + uri.scheme() + ": takes no parameter '" + name
                        + "'; it takes: " + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
        uri.choice(SYNC, SyncPolicy.class).ifPresent(b::syncPolicy);
        uri.duration(SYNC_INTERVAL).ifPresent(b::syncInterval);
        uri.bytes(SEGMENT_BYTES).ifPresent(v -> b.segmentBytes(toInt(SEGMENT_BYTES, v)));
        uri.bytes(RETENTION_BYTES).ifPresent(v -> b.retentionBytes = v);
        uri.duration(RETENTION_AGE).ifPresent(v -> b.retentionAge = v);
        uri.number(CHANNEL_MAX_DEPTH).ifPresent(v -> b.channelMaxDepth = v);
        uri.choice(DEPTH_POLICY, DepthPolicy.class).ifPresent(v -> b.depthPolicy = v);
        uri.bytes(MAX_DATA_BYTES).ifPresent(b::maxDataBytes);
        uri.bytes(MIN_FREE_DISK_BYTES).ifPresent(b::minFreeDiskBytes);
        uri.bytes(JOURNAL_SNAPSHOT_BYTES).ifPresent(b::journalSnapshotBytes);
        uri.bytes(TAIL_CACHE_BYTES).ifPresent(b::tailCacheBytes);
        uri.number(MEM_QUEUE_SIZE).ifPresent(v -> b.memQueueSize(toInt(MEM_QUEUE_SIZE, v)));
        uri.bytes(MAX_MESSAGE_BYTES).ifPresent(v -> b.maxMessageBytes(toInt(MAX_MESSAGE_BYTES, v)));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("engine " + uri + ": " + e.getMessage(), e);
        }
    }

    /** {@link #parse(EngineUri)} of {@code uri}'s text. */
    public static EmbeddedEngineConfig parse(String uri) {
        return parse(EngineUri.parse(uri));
    }

    private static Path directoryOf(EngineUri uri) {
        String location = uri.location();
        if (location.startsWith("//")) {
            int slash = location.indexOf('/', 2);
            String host = slash < 0 ? location.substring(2) : location.substring(2, slash);
            if (!host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
                throw new IllegalArgumentException("the engine URI " + uri.withoutParameters() + " names host '" + host
                        + "'; a file: engine's directory is local (file:DIR or file:///DIR)");
            }
            location = slash < 0 ? "" : location.substring(slash);
        }
        String dir = new EngineUri("file", location, Map.of()).decodedLocation();
        if (dir.isEmpty()) {
            throw new IllegalArgumentException("the engine URI " + uri.withoutParameters()
                    + " names no directory (e.g. file:./data, file:/var/lib/ferry)");
        }
        return Path.of(dir);
    }

    private static int toInt(String name, long value) {
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "engine parameter " + name + "=" + value + " is too large (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) value;
    }

    /**
     * The URI of this engine with every setting that differs from the default as a parameter:
     * {@code file:/abs/dir?sync=always} or {@code memory:}. {@link #parse(EngineUri)} of it gives
     * equal settings.
     */
    public EngineUri uri() {
        EmbeddedEngineConfig d = (dataDir == null ? memory() : file(dataDir)).build();
        Map<String, String> p = new LinkedHashMap<>();
        differs(p, SYNC, EngineUri.valueName(syncPolicy), EngineUri.valueName(d.syncPolicy));
        differs(p, SYNC_INTERVAL, syncInterval.toNanos() + "ns", d.syncInterval.toNanos() + "ns");
        differs(p, SEGMENT_BYTES, segmentBytes, d.segmentBytes);
        differs(p, RETENTION_BYTES, retentionBytes, d.retentionBytes);
        differs(p, RETENTION_AGE, retentionAge.toNanos() + "ns", d.retentionAge.toNanos() + "ns");
        differs(p, CHANNEL_MAX_DEPTH, channelMaxDepth, d.channelMaxDepth);
        differs(p, DEPTH_POLICY, EngineUri.valueName(depthPolicy), EngineUri.valueName(d.depthPolicy));
        differs(p, MAX_DATA_BYTES, maxDataBytes, d.maxDataBytes);
        differs(p, MIN_FREE_DISK_BYTES, minFreeDiskBytes, d.minFreeDiskBytes);
        differs(p, JOURNAL_SNAPSHOT_BYTES, journalSnapshotBytes, d.journalSnapshotBytes);
        differs(p, TAIL_CACHE_BYTES, tailCacheBytes, d.tailCacheBytes);
        differs(p, MEM_QUEUE_SIZE, memQueueSize, d.memQueueSize);
        differs(p, MAX_MESSAGE_BYTES, maxMessageBytes, d.maxMessageBytes);
        return dataDir == null ? new EngineUri("memory", "", p) : new EngineUri("file", fileLocation(dataDir), p);
    }

    /** The location part of {@code file:DIR} for {@code dir}, percent-encoded where needed. */
    public static String fileLocation(Path dir) {
        String text = dir.toString().replace(java.io.File.separatorChar, '/');
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (c < 128 && (Character.isLetterOrDigit(c) || "-._~/!$'()*,;:@=+".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        // a relative path starting with a segment holding ':' would read as a scheme; keep it relative
        return text.startsWith("/") || text.startsWith(".") ? out.toString() : "./" + out;
    }

    private static void differs(Map<String, String> p, String name, Object value, Object byDefault) {
        if (!value.equals(byDefault)) {
            p.put(name, value.toString());
        }
    }

    /** The data directory; empty for an engine in memory. */
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

    /** The size at which a topic's log starts a new segment file (default 64 MiB). */
    public int segmentBytes() {
        return segmentBytes;
    }

    /** The most bytes a topic's log keeps before its oldest segments go, or 0 for no bound. */
    public long retentionBytes() {
        return retentionBytes;
    }

    /** The longest a topic keeps a message, or zero for no bound. */
    public Duration retentionAge() {
        return retentionAge;
    }

    /** The most ready messages a durable channel holds, or 0 for no bound (default 0). */
    public long channelMaxDepth() {
        return channelMaxDepth;
    }

    /** What a channel at its maximum depth does (default {@link DepthPolicy#REJECT}). */
    public DepthPolicy depthPolicy() {
        return depthPolicy;
    }

    /** The most bytes the data directory's logs may hold, or 0 for no bound; past it publishes fail. */
    public long maxDataBytes() {
        return maxDataBytes;
    }

    /** The free disk space below which publishes fail (default 64 MiB). */
    public long minFreeDiskBytes() {
        return minFreeDiskBytes;
    }

    /** The journal size at which a channel writes a snapshot and starts a new journal (4 MiB). */
    public long journalSnapshotBytes() {
        return journalSnapshotBytes;
    }

    /**
     * The memory all durable topics together may use to keep their newest records (default 64 MiB),
     * so that channels reading near the tail of a log are served without touching its files. When a
     * topic's append would take the total over this budget, the caches of the topics appended to
     * least recently are trimmed first (oldest records first), then the appending topic's own; a
     * trimmed record is read from its segment file instead. Zero keeps no tail in memory. The
     * records trimmed are counted ({@code LocalEngine#tailCacheStats}). In-memory topics
     * ({@code memory:}, ephemeral names) are not cached copies and are not counted here: they are
     * bounded by retention and {@link #memQueueSize()}.
     */
    public long tailCacheBytes() {
        return tailCacheBytes;
    }

    /**
     * The bound of each ephemeral topic and channel in messages (default 10,000, as nsqd's
     * mem-queue-size); past it the oldest ready messages are dropped and counted.
     */
    public int memQueueSize() {
        return memQueueSize;
    }

    /**
     * The largest message body the engine stores (default 1 MiB, as nsqd): a larger one is refused
     * with a {@link PublishRejectedException}. Recovery also takes a longer record for a torn write,
     * so the bound must not shrink below what the data directory holds. A bus checks its own {@link
     * BusConfig#maxMessageSize()} before the engine sees a message.
     */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** A builder initialised with these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.dataDir = dataDir;
        b.syncPolicy = syncPolicy;
        b.syncInterval = syncInterval;
        b.segmentBytes = segmentBytes;
        b.retentionBytes = retentionBytes;
        b.retentionAge = retentionAge;
        b.channelMaxDepth = channelMaxDepth;
        b.depthPolicy = depthPolicy;
        b.maxDataBytes = maxDataBytes;
        b.minFreeDiskBytes = minFreeDiskBytes;
        b.journalSnapshotBytes = journalSnapshotBytes;
        b.tailCacheBytes = tailCacheBytes;
        b.memQueueSize = memQueueSize;
        b.maxMessageBytes = maxMessageBytes;
        return b;
    }

    @Override
    public String toString() {
        return uri().toString();
    }

    /** Collects settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private Path dataDir;
        private SyncPolicy syncPolicy = SyncPolicy.INTERVAL;
        private Duration syncInterval = Duration.ofMillis(100);
        private int segmentBytes = 64 << 20;
        private long retentionBytes = 0;
        private Duration retentionAge = Duration.ZERO;
        private long channelMaxDepth = 0;
        private DepthPolicy depthPolicy = DepthPolicy.REJECT;
        private long maxDataBytes = 0;
        private long minFreeDiskBytes = 64L << 20;
        private long journalSnapshotBytes = 4L << 20;
        private long tailCacheBytes = 64L << 20;
        private int memQueueSize = 10_000;
        private int maxMessageBytes = 1 << 20;

        private Builder() {}

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

        /** Sets the segment size of topic logs (at least 4096). */
        public Builder segmentBytes(int value) {
            this.segmentBytes = value;
            return this;
        }

        /** Sets the per-topic retention: bytes (0: none) and age (zero: none). */
        public Builder retention(long bytes, Duration age) {
            this.retentionBytes = bytes;
            this.retentionAge = Objects.requireNonNull(age, "age");
            return this;
        }

        /** Sets the maximum depth of durable channels (0: none) and the policy past it. */
        public Builder channelMaxDepth(long value, DepthPolicy policy) {
            this.channelMaxDepth = value;
            this.depthPolicy = Objects.requireNonNull(policy, "policy");
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

        /** Sets the journal size that triggers a channel snapshot (at least 4096). */
        public Builder journalSnapshotBytes(long value) {
            this.journalSnapshotBytes = value;
            return this;
        }

        /** Sets the memory budget of all durable topics' tail caches in bytes (0: none). */
        public Builder tailCacheBytes(long value) {
            this.tailCacheBytes = value;
            return this;
        }

        /** Sets the bound of ephemeral topics and channels in messages. */
        public Builder memQueueSize(int value) {
            this.memQueueSize = value;
            return this;
        }

        /** Sets the largest message body the engine stores. */
        public Builder maxMessageBytes(int value) {
            this.maxMessageBytes = value;
            return this;
        }

        /**
         * Validates and seals the settings.
         *
         * @throws IllegalArgumentException naming the setting and its value
         */
        public EmbeddedEngineConfig build() {
            positive("syncInterval", syncInterval.toMillis());
            positive("memQueueSize", memQueueSize);
            positive("maxMessageBytes", maxMessageBytes);
            notNegative("channelMaxDepth", channelMaxDepth);
            notNegative("retentionBytes", retentionBytes);
            notNegative("retentionAge", retentionAge.toMillis());
            notNegative("maxDataBytes", maxDataBytes);
            notNegative("minFreeDiskBytes", minFreeDiskBytes);
            notNegative("tailCacheBytes", tailCacheBytes);
            if (segmentBytes < 4096) {
                throw new IllegalArgumentException("segmentBytes must be at least 4096, got " + segmentBytes);
            }
            if (journalSnapshotBytes < 4096) {
                throw new IllegalArgumentException(
                        "journalSnapshotBytes must be at least 4096, got " + journalSnapshotBytes);
            }
            return new EmbeddedEngineConfig(this);
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
