package dev.ferry.internal.engine;

import dev.ferry.DeadLetter;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.FerryException;
import dev.ferry.NotFoundException;
import dev.ferry.PublishRejectedException;
import dev.ferry.StorageException;
import dev.ferry.SyncPolicy;
import dev.ferry.TopicStats;
import dev.ferry.spi.DiskUsage;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineTimings;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.spi.QueueStateStore;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded engine: durable topics and channels in a data directory ({@code file:DIR}), or
 * everything in memory ({@code memory:}) when the configuration has no directory. Configured by an
 * {@link EmbeddedEngineConfig}; opened by URI through {@link EmbeddedEngineProvider}. See {@link TopicState} and {@link ChannelState} for
 * the model, {@link SyncService} and {@link EngineLoops} for the threads.
 *
 * <p>Its parts: the {@link TopicRegistry} (topics by name, topology watchers), the {@link
 * DiskBudget} (stored bytes, free disk), the {@link TailCacheBudget} (memory for the newest
 * records), the {@link DeadLetterMover}, and {@link EngineAdmin} (administration and statistics,
 * delegated to at the end of this class). This class opens and recovers the engine, runs the data
 * path and the timers, and closes.
 *
 * <p>Thread-safe: each topic has its own lock; creating and deleting topics is serialised. The data
 * path ({@link #claim}, {@link #ack}, {@link #nack}, {@link #extend}) works on the caller's thread
 * under the topic's lock and returns stages that are already complete, shared constants for the
 * common answers, so it allocates nothing for them. Consumers hear of availability and of expired
 * leases on the thread that caused them (a publisher, a requeue, an engine loop's tick), never
 * under a lock.
 *
 * <p>{@link #append} never waits for a topic's lock: it queues the publish and tries the lock; if
 * another thread holds it (a consumer claiming, a timer), that thread writes the queued publishes
 * as it lets go, and the stage completes there, after the lock is free. So a publisher and a
 * consumer of one topic never park behind each other, and publishes that queue up during a claim
 * go to the log in one write. Uncontended, the stage is complete when {@code append} returns (or
 * once fsynced, under {@code sync=always}).
 */
public final class LocalEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(LocalEngine.class);

    private static final long QUEUE_SWEEP_MILLIS = 100;

    /*
     * The data path's common answers, shared. Completed CompletableFutures rather than minimal
     * stages: their toCompletableFuture() is themselves, so a caller that checks isDone() allocates
     * nothing either; a completed future cannot be completed again, and the SPI forbids obtruding.
     */
    private static final CompletableFuture<Boolean> TRUE = CompletableFuture.completedFuture(Boolean.TRUE);
    private static final CompletableFuture<Boolean> FALSE = CompletableFuture.completedFuture(Boolean.FALSE);
    private static final CompletableFuture<List<Lease>> NOTHING = CompletableFuture.completedFuture(List.of());

    private final EmbeddedEngineConfig config;
    private final String name;
    private final Clock clock;
    private final DataDirectory dataDirectory;
    private final Storage storage;
    private final SyncService sync;
    private final SnapshotWriter snapshotWriter = new SnapshotWriter();
    private final TimingListeners timings = new TimingListeners();
    private final EngineLoops loops;
    private final TopicRegistry topics;
    private final DiskBudget disk;
    private final TailCacheBudget tailCache;
    private final DeadLetterMover deadLetters;
    private final EngineAdmin admin;
    private final LocalQueueStates queueStates;

    /**
     * Opens an engine for {@code config} on the system UTC clock, recovering what its data directory
     * holds.
     */
    public static LocalEngine open(EmbeddedEngineConfig config) {
        return open(config, Clock.systemUTC());
    }

    /**
     * Opens an engine for {@code config}, recovering what its data directory holds.
     *
     * @param clock the clock for timestamps, timeouts and due times
     * @throws StorageException when the directory is held by another process, has an unknown format or
     *     cannot be recovered
     */
    public static LocalEngine open(EmbeddedEngineConfig config, Clock clock) {
        return new LocalEngine(config, clock, FileIo.DEFAULT);
    }

    LocalEngine(EmbeddedEngineConfig config, Clock clock, FileIo io) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = config.uri().withoutParameters().toString();
        Path root = config.dataDir().orElse(null);
        this.dataDirectory = root == null ? null : DataDirectory.open(root);
        FileStore fileStore;
        try {
            fileStore = root == null ? null : Files.getFileStore(root);
        } catch (IOException e) {
            dataDirectory.close();
            throw new StorageException("cannot inspect the disk of " + root + ": " + e, e);
        }
        this.disk = new DiskBudget(config, root, fileStore);
        this.tailCache = new TailCacheBudget(config.tailCacheBytes());
        this.storage = new Storage(this, root, io);
        this.sync = new SyncService(config.syncPolicy(), config.syncInterval(), timings);
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.loops = new EngineLoops(threads, tick -> tick(tick.topic(), tick.housekeeping()));
        this.topics = new TopicRegistry(storage, loops, sync);
        this.deadLetters = new DeadLetterMover(this, topics);
        this.admin = new EngineAdmin(topics, storage);
        this.queueStates = new LocalQueueStates(clock, root, this::deleteQueueTopic);
        try {
            recover();
            queueStates.recover();
            loops.every(QUEUE_SWEEP_MILLIS, queueStates::sweep);
        } catch (IOException | RuntimeException e) {
            loops.close();
            snapshotWriter.close();
            sync.close();
            if (dataDirectory != null) {
                dataDirectory.close();
            }
            if (e instanceof FerryException fe) {
                throw fe;
            }
            throw new StorageException("cannot recover data directory " + root + ": " + e, e);
        }
    }

    private void recover() throws IOException {
        if (storage.inMemory()) {
            return;
        }
        long start = System.nanoTime();
        int channels = 0;
        for (String name : storage.topicsOnDisk()) {
            TopicState topic = storage.openTopic(name, topics.shardOf(name), true);
            topics.addRecovered(topic);
            disk.addStoredBytes(topic.log().sizeBytes());
            channels += topic.channels().size();
        }
        // recovered tails were read in whole: bring them within the budget before the first publish
        tailCache.enforce(null);
        if (!topics.isEmpty()) {
            log.info(
                    "recovered {} topics and {} channels from {} in {} ms",
                    topics.size(),
                    channels,
                    config.dataDir().orElseThrow(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    EmbeddedEngineConfig config() {
        return config;
    }

    /** The engine's URI without its parameters: {@code file:DIR} or {@code memory:}. */
    @Override
    public String name() {
        return name;
    }

    /** The embedded engine offers every optional capability. */
    @Override
    public Set<Capability> capabilities() {
        if (storage.inMemory()) {
            return Set.of(Capability.QUEUE_STATE, Capability.DEAD_LETTERS);
        }
        return Set.of(Capability.QUEUE_STATE, Capability.DEAD_LETTERS, Capability.DISK_STORAGE);
    }

    Clock clock() {
        return clock;
    }

    long nowNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    Storage storage() {
        return storage;
    }

    SyncService sync() {
        return sync;
    }

    /** The thread that makes housekeeping's snapshots durable. */
    SnapshotWriter snapshotWriter() {
        return snapshotWriter;
    }

    TailCacheBudget tailCache() {
        return tailCache;
    }

    /**
     * What the durable topics' tail caches hold and how often the engine-wide budget ({@link
     * EmbeddedEngineConfig#tailCacheBytes()}) trimmed them. Thread-safe, non-blocking.
     */
    public TailCacheStats tailCacheStats() {
        return tailCache.stats();
    }

    DiskBudget disk() {
        return disk;
    }

    /** The state of a topic, for tests in this package. */
    TopicState topicState(String name) {
        return topics.get(name);
    }

    // ---- Engine ---------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> append(String topicName, List<PublishRecord> batch) {
        long bytes = 0;
        for (PublishRecord r : batch) {
            if (r.body().length > config.maxMessageBytes()) {
                return CompletableFuture.failedFuture(new PublishRejectedException("publish to topic '" + topicName
                        + "' refused: a body of " + r.body().length + " bytes is over the engine's "
                        + EmbeddedEngineConfig.MAX_MESSAGE_BYTES + " (" + config.maxMessageBytes()
                        + "); nothing of this publish was stored"));
            }
            bytes += r.body().length;
        }
        PendingAppend mine = new PendingAppend(topicName, batch, bytes);
        enqueue(mine);
        return mine.result;
    }

    /**
     * Queues a publish on its topic and writes it now if the topic's lock is free; if not, the
     * holder writes it as it lets go (see {@link TopicState}). Never waits for the lock.
     */
    private void enqueue(PendingAppend append) {
        topics.ensureOpen();
        TopicState topic = topics.getOrCreate(append.topic);
        topic.enqueue(append);
        topic.writeQueued();
    }

    /** A group of publishes was written to {@code topic}'s log in {@code nanos}; lock held. */
    void groupWritten(TopicState topic, long nanos) {
        if (!topic.memoryOnly) {
            timings.written(nanos);
        }
    }

    /**
     * Completes the publishes of a group just written, once the topic's lock is free: tells the
     * listening consumers, answers each publish (after the fsync under {@code sync=always}), and
     * publishes again those whose topic was deleted first, to the topic that replaces it.
     */
    void finishAppends(TopicState topic, List<PendingAppend> group, List<ChannelState> listening) {
        ConsumerNotices.signal(listening);
        CompletableFuture<Void> synced = null;
        for (PendingAppend p : group) {
            if (p.retry) {
                p.reset();
                // not on this thread: it may hold the registry's lock, which comes before a topic's
                CompletableFuture.runAsync(() -> {
                    try {
                        enqueue(p);
                    } catch (RuntimeException e) {
                        p.result.completeExceptionally(e);
                    }
                });
            } else if (p.error != null) {
                p.result.completeExceptionally(p.error);
            } else if (config.syncPolicy() != SyncPolicy.ALWAYS || topic.memoryOnly) {
                p.result.complete(null);
            } else {
                if (synced == null) {
                    synced = sync.requestSync();
                }
                synced.whenComplete((v, e) -> {
                    if (e == null) {
                        p.result.complete(null);
                    } else {
                        p.result.completeExceptionally(new PublishRejectedException(
                                "publish to topic '" + p.topic + "' was written but could not be synced to disk: "
                                        + e.getMessage(),
                                e));
                    }
                });
            }
        }
    }

    @Override
    public Consumer register(String topicName, String channel, ConsumerListener listener) {
        Objects.requireNonNull(listener, "listener");
        LocalConsumer consumer = new LocalConsumer(this, topicName, channel, listener);
        topics.onLiveTopic(
                topicName, topic -> topics.openChannel(topic, channel).listeners.add(consumer));
        consumer.available();
        return consumer;
    }

    /** Removes a closed consumer from its channel; an ephemeral channel goes with its last one. */
    void unregister(LocalConsumer consumer) {
        String topicName = consumer.topic;
        String channel = consumer.channel;
        TopicState topic = topics.get(topicName);
        if (topic == null) {
            return;
        }
        boolean deleteTopic = false;
        topic.lock.lock();
        try {
            ChannelState ch = topic.channel(channel);
            if (ch == null) {
                return;
            }
            ch.listeners.remove(consumer);
            if (ch.ephemeral && ch.listeners.isEmpty() && !topics.closed()) {
                deleteTopic = topics.deleteChannel(topic, channel);
            }
            // the channel's other consumers are gone (it was ephemeral): nobody to tell
            topic.takeExpiries();
        } catch (IOException e) {
            log.warn(
                    "topic {} channel {}: removing the ephemeral channel failed: {}", topicName, channel, e.toString());
        } finally {
            topic.lock.unlock();
        }
        if (deleteTopic) {
            topics.deleteIfUnused(topic);
        }
    }

    @Override
    public CompletionStage<List<Lease>> claim(String topicName, String channel, int max, Duration timeout) {
        return claim(topicName, channel, null, max, timeout);
    }

    /** Claims for a registered consumer, whose listener hears of the leases that expire. */
    CompletionStage<List<Lease>> claim(LocalConsumer consumer, int max, Duration timeout) {
        if (consumer.closed()) {
            return NOTHING;
        }
        return claim(consumer.topic, consumer.channel, consumer, max, timeout);
    }

    private CompletionStage<List<Lease>> claim(
            String topicName, String channel, LocalConsumer owner, int max, Duration timeout) {
        TopicState topic = topics.get(topicName);
        if (topic == null || max <= 0 || topics.closed()) {
            return NOTHING;
        }
        List<Lease> leases;
        ChannelState.DeadBatch dead;
        List<LocalConsumer.Expiry> expired;
        topic.lock.lock();
        try {
            leases = topic.claim(channel, max, timeout.toMillis(), owner);
            dead = topic.takeDead(channel);
        } catch (IOException e) {
            return CompletableFuture.failedStage(new StorageException(
                    "topic '" + topicName + "' channel '" + channel + "': reading messages failed: " + e, e));
        } finally {
            // a claim runs the channel's due timeouts first: their consumers hear of them below
            expired = topic.takeExpiries();
            topic.lock.unlock();
        }
        ConsumerNotices.reportExpired(expired);
        if (dead != null) {
            deadLetters.move(dead);
        }
        return leases.isEmpty() ? NOTHING : CompletableFuture.completedFuture(leases);
    }

    @Override
    public CompletionStage<Boolean> ack(Lease lease) {
        TopicState topic = topics.get(lease.topic());
        if (topic == null) {
            return FALSE;
        }
        topic.lock.lock();
        try {
            return topic.ack(lease) ? TRUE : FALSE;
        } finally {
            topic.lock.unlock();
        }
    }

    /**
     * Finishes the leases with one lock per run of leases of the same topic (a connection's FINs
     * are nearly always of one topic), so that a fast consumer takes the lock a few times per read
     * rather than once per message. Already complete, like the other answers.
     */
    @Override
    public CompletionStage<List<Boolean>> ack(List<Lease> leases) {
        Boolean[] answers = new Boolean[leases.size()];
        int i = 0;
        while (i < leases.size()) {
            String topicName = leases.get(i).topic();
            int end = i + 1;
            while (end < leases.size() && leases.get(end).topic().equals(topicName)) {
                end++;
            }
            TopicState topic = topics.get(topicName);
            if (topic == null) {
                java.util.Arrays.fill(answers, i, end, Boolean.FALSE);
            } else {
                topic.lock.lock();
                try {
                    topic.ack(leases, i, end, answers);
                } finally {
                    topic.lock.unlock();
                }
            }
            i = end;
        }
        return CompletableFuture.completedFuture(java.util.Arrays.asList(answers));
    }

    @Override
    public CompletionStage<Boolean> nack(Lease lease, Duration delay) {
        TopicState topic = topics.get(lease.topic());
        if (topic == null) {
            return FALSE;
        }
        Boolean readyNow;
        List<ChannelState> listening = List.of();
        topic.lock.lock();
        try {
            readyNow = topic.nack(lease, Math.max(0, delay.toMillis()));
            if (Boolean.TRUE.equals(readyNow)) {
                ChannelState ch = topic.channel(lease.channel());
                listening = ch == null ? List.of() : List.of(ch);
            }
        } catch (IOException e) {
            return CompletableFuture.failedStage(
                    new StorageException("topic '" + lease.topic() + "': requeue failed: " + e, e));
        } finally {
            topic.lock.unlock();
        }
        ConsumerNotices.signal(listening);
        return readyNow != null ? TRUE : FALSE;
    }

    @Override
    public CompletionStage<Boolean> extend(Lease lease, Duration timeout) {
        TopicState topic = topics.get(lease.topic());
        if (topic == null) {
            return FALSE;
        }
        topic.lock.lock();
        try {
            return topic.extend(lease, timeout.toMillis()) ? TRUE : FALSE;
        } finally {
            topic.lock.unlock();
        }
    }

    private void tick(TopicState topic, boolean housekeeping) {
        long now = clock.millis();
        if (!housekeeping && topic.nextDue() > now) {
            return;
        }
        List<ChannelState> readied;
        List<LocalConsumer.Expiry> expired;
        topic.lock.lock();
        try {
            if (topic.deleted()) {
                return;
            }
            readied = topic.tick(now, housekeeping);
        } catch (IOException e) {
            log.error("topic {}: housekeeping failed: {}", topic.name, e.toString());
            return;
        } finally {
            expired = topic.takeExpiries();
            topic.lock.unlock();
        }
        // the consumers free the slots of their expired leases before they hear there is more
        ConsumerNotices.reportExpired(expired);
        ConsumerNotices.signal(readied);
    }

    /** Deletes the topic of an expired or destroyed queue, if it exists. */
    private void deleteQueueTopic(String name) {
        if (topics.closed() || !topics.contains(name)) {
            return;
        }
        try {
            admin.deleteTopic(name);
        } catch (NotFoundException e) {
            // deleted meanwhile: what expiry wanted
        }
    }

    @Override
    public void close() {
        if (!topics.close()) {
            return;
        }
        queueStates.close();
        loops.close();
        for (TopicState topic : topics.all()) {
            topic.lock.lock();
            try {
                for (ChannelState ch : topic.channels()) {
                    try {
                        ch.snapshot();
                    } catch (IOException e) {
                        log.warn(
                                "topic {} channel {}: snapshot at close failed: {}", topic.name, ch.name, e.toString());
                    }
                }
            } finally {
                topic.lock.unlock();
            }
        }
        // every channel's snapshot() above waited for its background one: the thread is idle
        snapshotWriter.close();
        sync.close();
        for (TopicState topic : topics.all()) {
            topic.lock.lock();
            try {
                for (ChannelState ch : topic.channels()) {
                    storage.closeChannel(ch);
                }
                topic.log().close();
            } finally {
                topic.lock.unlock();
            }
        }
        topics.clear();
        if (dataDirectory != null) {
            dataDirectory.close();
        }
    }

    // ---- administration and statistics: EngineAdmin's work, handed back as completed stages -----

    @Override
    public Registration watch(TopologyListener listener) {
        return topics.watch(listener);
    }

    /** Tells {@code listener} how long each write to a durable topic's log and each sync round took. */
    @Override
    public Registration observe(EngineTimings listener) {
        return timings.add(listener);
    }

    /** The logs' bytes and the free space of the data directory's disk; empty for {@code memory:}. */
    @Override
    public Optional<DiskUsage> diskUsage() {
        return disk.usage();
    }

    @Override
    public QueueStateStore queueState() {
        topics.ensureOpen();
        return queueStates;
    }

    @Override
    public CompletionStage<Void> createTopic(String topic) {
        return completed(() -> admin.createTopic(topic));
    }

    @Override
    public CompletionStage<Void> deleteTopic(String topic) {
        return completed(() -> admin.deleteTopic(topic));
    }

    @Override
    public CompletionStage<Void> emptyTopic(String topic) {
        return completed(() -> admin.emptyTopic(topic));
    }

    @Override
    public CompletionStage<Void> setTopicPaused(String topic, boolean paused) {
        return completed(() -> admin.setTopicPaused(topic, paused));
    }

    @Override
    public CompletionStage<Void> createChannel(String topic, String channel) {
        return completed(() -> admin.createChannel(topic, channel));
    }

    @Override
    public CompletionStage<Void> deleteChannel(String topic, String channel) {
        return completed(() -> admin.deleteChannel(topic, channel));
    }

    @Override
    public CompletionStage<Void> emptyChannel(String topic, String channel) {
        return completed(() -> admin.emptyChannel(topic, channel));
    }

    @Override
    public CompletionStage<Void> setChannelPaused(String topic, String channel, boolean paused) {
        return completed(() -> admin.setChannelPaused(topic, channel, paused));
    }

    @Override
    public CompletionStage<Void> setDeadLetter(String topic, String channel, DeadLetter policy) {
        return completed(() -> admin.setDeadLetter(topic, channel, policy));
    }

    @Override
    public CompletionStage<List<TopicStats>> stats() {
        return CompletableFuture.completedFuture(admin.stats());
    }

    @Override
    public CompletionStage<Optional<TopicStats>> stats(String topic) {
        return CompletableFuture.completedFuture(admin.stats(topic));
    }

    /** Runs {@code action} now; a completed stage, or a failed one with what it threw. */
    private static CompletionStage<Void> completed(Runnable action) {
        try {
            action.run();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
