package dev.ferry.internal.engine;

import dev.ferry.DeadLetter;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.FerryException;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.PublishRejectedException;
import dev.ferry.StorageException;
import dev.ferry.SyncPolicy;
import dev.ferry.TopicStats;
import dev.ferry.spi.Engine;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded engine: durable topics and channels in a data directory ({@code file:DIR}), or
 * everything in memory ({@code memory:}) when the configuration has no directory. Configured by an
 * {@link EmbeddedEngineConfig}; opened by URI through {@link EmbeddedEngineProvider}. See {@link TopicState} and {@link ChannelState} for
 * the model, {@link SyncService} and {@link EngineLoops} for the threads.
 *
 * <p>Thread-safe: each topic has its own lock; creating and deleting topics is serialised. The data
 * path ({@link #claim}, {@link #ack}, {@link #nack}, {@link #extend}) works on the caller's thread
 * under the topic's lock and returns stages that are already complete, shared constants for the
 * common answers, so it allocates nothing for them. Consumers hear of availability and of expired
 * leases on the thread that caused them (a publisher, a requeue, an engine loop's tick), never
 * under a lock.
 */
public final class LocalEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(LocalEngine.class);
    private static final long DISK_CHECK_NANOS = 500_000_000L;
    /** How long a message waits before its move to a dead-letter topic is tried again. */
    private static final Duration DEAD_LETTER_RETRY = Duration.ofSeconds(1);

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
    private final EngineLoops loops;
    private final ConcurrentHashMap<String, TopicState> topics = new ConcurrentHashMap<>();
    private final Object topicsLock = new Object();
    private final AtomicLong storedBytes = new AtomicLong();
    private final List<TopologyListener> watchers = new CopyOnWriteArrayList<>();
    private final FileStore fileStore;
    private final LocalQueueStates queueStates;
    private volatile long usableBytes = Long.MAX_VALUE;
    private volatile long lastDiskCheck;
    private volatile boolean closed;

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
        try {
            this.fileStore = root == null ? null : Files.getFileStore(root);
        } catch (IOException e) {
            dataDirectory.close();
            throw new StorageException("cannot inspect the disk of " + root + ": " + e, e);
        }
        this.storage = new Storage(this, root, io);
        this.sync = new SyncService(config.syncPolicy(), config.syncInterval());
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.loops = new EngineLoops(threads, tick -> tick(tick.topic(), tick.housekeeping()));
        this.queueStates = new LocalQueueStates(clock, root, this::deleteQueueTopic);
        try {
            recover();
            queueStates.recover();
            loops.every(QUEUE_SWEEP_MILLIS, queueStates::sweep);
        } catch (IOException | RuntimeException e) {
            loops.close();
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
            TopicState topic = storage.openTopic(name, shardOf(name), true);
            topics.put(name, topic);
            storedBytes.addAndGet(topic.log().sizeBytes());
            channels += topic.channels().size();
            loops.add(topic);
        }
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
        return Set.of(Capability.QUEUE_STATE, Capability.DEAD_LETTERS);
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

    private int shardOf(String name) {
        return Math.floorMod(name.hashCode(), loops.shardCount());
    }

    void addStoredBytes(long delta) {
        storedBytes.addAndGet(delta);
    }

    /** Why a publish of {@code bytes} more must be refused for disk reasons, or null. */
    String diskRefusal(long bytes) {
        long max = config.maxDataBytes();
        if (max > 0 && storedBytes.get() + bytes > max) {
            return "the data size limit is reached ("
                    + storedBytes.get()
                    + " bytes stored + "
                    + bytes
                    + " new > maxDataBytes "
                    + max
                    + ")";
        }
        long now = System.nanoTime();
        if (fileStore != null && now - lastDiskCheck > DISK_CHECK_NANOS) {
            lastDiskCheck = now;
            try {
                usableBytes = fileStore.getUsableSpace();
            } catch (IOException e) {
                log.warn("cannot read free space of {}: {}", config.dataDir().orElseThrow(), e.toString());
            }
        }
        if (usableBytes - bytes < config.minFreeDiskBytes()) {
            return "only "
                    + usableBytes
                    + " bytes are free on the disk of "
                    + config.dataDir().orElseThrow()
                    + ", below minFreeDiskBytes "
                    + config.minFreeDiskBytes();
        }
        return null;
    }

    void reportWriteError(String topic, IOException e) {
        log.error("topic {}: write failed: {}", topic, e.toString());
        lastDiskCheck = 0;
    }

    private void ensureOpen() {
        if (closed) {
            throw new FerryException("the engine is closed");
        }
    }

    private TopicState topic(String name, boolean create) {
        TopicState topic = topics.get(name);
        if (topic != null || !create) {
            return topic;
        }
        synchronized (topicsLock) {
            ensureOpen();
            topic = topics.get(name);
            if (topic == null) {
                try {
                    topic = storage.openTopic(name, shardOf(name), false);
                } catch (IOException e) {
                    throw new StorageException("cannot create topic '" + name + "': " + e, e);
                }
                topics.put(name, topic);
                loops.add(topic);
                String created = name;
                tell(w -> w.topicCreated(created));
            }
            return topic;
        }
    }

    /** The state of a topic, for tests in this package. */
    TopicState topicState(String name) {
        return topics.get(name);
    }

    private TopicState existing(String name) {
        TopicState topic = topics.get(name);
        if (topic == null) {
            throw new NotFoundException("topic '" + name + "' not found");
        }
        return topic;
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
        PendingAppend mine = new PendingAppend(batch, bytes);
        while (true) {
            ensureOpen();
            TopicState topic = topic(topicName, true);
            topic.enqueue(mine);
            List<ChannelState> listening;
            topic.lock.lock();
            try {
                if (!mine.done) {
                    topic.appendQueued();
                }
                listening = topic.listening();
            } finally {
                topic.lock.unlock();
            }
            if (mine.retry) {
                mine.reset();
                continue;
            }
            signal(listening);
            if (mine.error != null) {
                return CompletableFuture.failedFuture(mine.error);
            }
            if (topic.memoryOnly || config.syncPolicy() != SyncPolicy.ALWAYS) {
                return CompletableFuture.completedFuture(null);
            }
            return sync.requestSync()
                    .exceptionallyCompose(e -> CompletableFuture.failedFuture(new PublishRejectedException(
                            "publish to topic '" + topicName + "' was written but could not be synced to disk: "
                                    + e.getMessage(),
                            e)));
        }
    }

    /** Work on a topic under its lock. */
    private interface TopicFunction<T> {
        T apply(TopicState topic) throws IOException;
    }

    /** Runs {@code fn} on the topic, created when missing, retrying if it is deleted meanwhile. */
    private <T> T onLiveTopic(String name, TopicFunction<T> fn) {
        ensureOpen();
        while (true) {
            TopicState topic = topic(name, true);
            topic.lock.lock();
            try {
                if (!topic.deleted()) {
                    return fn.apply(topic);
                }
            } catch (IOException e) {
                throw new StorageException("topic '" + name + "': " + e, e);
            } finally {
                topic.lock.unlock();
            }
        }
    }

    /** The channel, created (and reported) when missing; under the topic's lock. */
    private ChannelState openChannel(TopicState topic, String channel) throws IOException {
        ChannelState existing = topic.channel(channel);
        if (existing != null) {
            return existing;
        }
        ChannelState created = topic.createChannel(channel);
        tell(w -> w.channelCreated(topic.name, channel));
        return created;
    }

    @Override
    public Registration watch(TopologyListener listener) {
        Objects.requireNonNull(listener, "listener");
        watchers.add(listener);
        return () -> watchers.remove(listener);
    }

    /** Reports a change to every watcher; a watcher's failure is logged, the others still hear. */
    private void tell(java.util.function.Consumer<TopologyListener> event) {
        for (TopologyListener w : watchers) {
            try {
                event.accept(w);
            } catch (RuntimeException e) {
                log.warn("a topology listener failed: {}", e.toString(), e);
            }
        }
    }

    private static void signal(List<ChannelState> channels) {
        for (ChannelState ch : channels) {
            for (LocalConsumer consumer : ch.listeners) {
                consumer.available();
            }
        }
    }

    /** Tells consumers of their leases that expired or were dropped; called without a lock. */
    private static void reportExpired(List<LocalConsumer.Expiry> expiries) {
        if (expiries == null) {
            return;
        }
        for (LocalConsumer.Expiry expiry : expiries) {
            try {
                expiry.consumer().expired(expiry.lease());
            } catch (RuntimeException e) {
                log.warn("a consumer failed to hear that lease {} expired: {}", expiry.lease(), e.toString(), e);
            }
        }
    }

    @Override
    public Consumer register(String topicName, String channel, ConsumerListener listener) {
        Objects.requireNonNull(listener, "listener");
        LocalConsumer consumer = new LocalConsumer(this, topicName, channel, listener);
        onLiveTopic(topicName, topic -> openChannel(topic, channel).listeners.add(consumer));
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
            if (ch.ephemeral && ch.listeners.isEmpty() && !closed) {
                topic.deleteChannel(channel);
                tell(w -> w.channelDeleted(topicName, channel));
                deleteTopic = topic.ephemeral && topic.channels().isEmpty();
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
            deleteTopicIfUnused(topic);
        }
    }

    private void deleteTopicIfUnused(TopicState topic) {
        synchronized (topicsLock) {
            topic.lock.lock();
            try {
                if (topic.deleted() || !topic.channels().isEmpty()) {
                    return;
                }
                removeTopic(topic);
            } finally {
                topic.lock.unlock();
            }
        }
    }

    /** Removes a topic, under its lock; the caller reports {@link TopicState#takeExpiries}. */
    private void removeTopic(TopicState topic) {
        for (ChannelState ch : topic.channels()) {
            ch.dropLeases();
            tell(w -> w.channelDeleted(topic.name, ch.name));
        }
        tell(w -> w.topicDeleted(topic.name));
        topic.markDeleted();
        topics.remove(topic.name, topic);
        loops.remove(topic);
        sync.remove(SyncService.LOG, topic.log());
        try {
            storage.deleteTopic(topic);
        } catch (IOException e) {
            throw new StorageException("cannot delete topic '" + topic.name + "': " + e, e);
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
        if (topic == null || max <= 0 || closed) {
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
        reportExpired(expired);
        if (dead != null) {
            moveToDeadLetter(dead);
        }
        return leases.isEmpty() ? NOTHING : CompletableFuture.completedFuture(leases);
    }

    /**
     * Appends the bodies of messages whose attempts are used up to their dead-letter topic, then
     * finishes them on their channel; requeues them when the append fails, so none is lost. Runs
     * without any topic lock held: the dead-letter topic has its own lock.
     */
    private void moveToDeadLetter(ChannelState.DeadBatch dead) {
        List<PublishRecord> records = new ArrayList<>(dead.leases().size());
        for (Lease lease : dead.leases()) {
            records.add(PublishRecord.of(lease.body()));
        }
        CompletableFuture<Void> stored;
        try {
            stored = append(dead.topic(), records);
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        stored.whenComplete((v, e) -> {
            for (Lease lease : dead.leases()) {
                if (e != null) {
                    nack(lease, DEAD_LETTER_RETRY);
                    continue;
                }
                TopicState topic = topics.get(lease.topic());
                if (topic == null) {
                    continue;
                }
                topic.lock.lock();
                try {
                    topic.deadLettered(lease);
                } finally {
                    topic.lock.unlock();
                }
                log.warn(
                        "topic {} channel {}: message {} moved to dead-letter topic {} after {} deliveries"
                                + " (maxAttempts {})",
                        lease.topic(),
                        lease.channel(),
                        lease.idHex(),
                        dead.topic(),
                        lease.attempts() - 1,
                        dead.maxAttempts());
            }
            if (e != null) {
                log.error(
                        "topic {}: {} messages could not be moved to dead-letter topic {}; retrying in {} ms: {}",
                        dead.leases().get(0).topic(),
                        dead.leases().size(),
                        dead.topic(),
                        DEAD_LETTER_RETRY.toMillis(),
                        e.toString());
            }
        });
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
        signal(listening);
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
        reportExpired(expired);
        signal(readied);
    }

    // ---- administration -------------------------------------------------------------------------

    @Override
    public QueueStateStore queueState() {
        ensureOpen();
        return queueStates;
    }

    /** Deletes the topic of an expired or destroyed queue, if it exists. */
    private void deleteQueueTopic(String name) {
        if (closed || !topics.containsKey(name)) {
            return;
        }
        try {
            deleteTopicNow(name);
        } catch (NotFoundException e) {
            // deleted meanwhile: what expiry wanted
        }
    }

    void createTopicNow(String topic) {
        onLiveTopic(topic, t -> t);
    }

    void deleteTopicNow(String name) {
        ensureOpen();
        List<LocalConsumer.Expiry> dropped;
        synchronized (topicsLock) {
            TopicState topic = existing(name);
            topic.lock.lock();
            try {
                removeTopic(topic);
            } finally {
                dropped = topic.takeExpiries();
                topic.lock.unlock();
            }
        }
        reportExpired(dropped);
    }

    void emptyTopicNow(String name) {
        withTopic(name, TopicState::empty);
    }

    void setTopicPausedNow(String name, boolean paused) {
        List<ChannelState> listening = withTopic(name, topic -> {
            topic.setPaused(paused);
            storage.writePaused(topic, null, paused);
        });
        if (!paused) {
            signal(listening);
        }
    }

    void createChannelNow(String topicName, String channel) {
        onLiveTopic(topicName, topic -> openChannel(topic, channel));
    }

    void deleteChannelNow(String topicName, String channel) {
        boolean[] deleteTopic = new boolean[1];
        TopicState topic = existing(topicName);
        withTopic(topicName, t -> {
            t.deleteChannel(channel);
            tell(w -> w.channelDeleted(topicName, channel));
            deleteTopic[0] = t.ephemeral && t.channels().isEmpty();
        });
        if (deleteTopic[0]) {
            deleteTopicIfUnused(topic);
        }
    }

    void emptyChannelNow(String topicName, String channel) {
        withTopic(topicName, t -> t.emptyChannel(channel));
    }

    void setChannelPausedNow(String topicName, String channel, boolean paused) {
        List<ChannelState> listening = withTopic(topicName, t -> {
            ChannelState ch = t.channel(channel);
            if (ch == null) {
                throw new NotFoundException("channel '" + channel + "' of topic '" + topicName + "' not found");
            }
            ch.setPaused(paused);
            storage.writePaused(t, channel, paused);
        });
        if (!paused) {
            signal(listening);
        }
    }

    void setDeadLetterNow(String topicName, String channel, DeadLetter policy) {
        String target = policy.enabled() ? policy.topicFor(topicName) : null;
        withTopic(topicName, t -> {
            ChannelState ch = t.channel(channel);
            if (ch == null) {
                throw new NotFoundException("channel '" + channel + "' of topic '" + topicName + "' not found");
            }
            storage.writeDeadLetter(t, ch, policy);
            ch.setDeadLetter(policy, target);
        });
    }

    private interface TopicAction {
        void apply(TopicState topic) throws IOException;
    }

    /** Runs an action under the topic's lock; returns the channels with consumers afterwards. */
    private List<ChannelState> withTopic(String name, TopicAction action) {
        ensureOpen();
        TopicState topic = existing(name);
        List<LocalConsumer.Expiry> dropped;
        topic.lock.lock();
        try {
            if (topic.deleted()) {
                throw new NotFoundException("topic '" + name + "' not found");
            }
            action.apply(topic);
            return topic.listening();
        } catch (IOException e) {
            throw new StorageException("topic '" + name + "': " + e, e);
        } finally {
            // an emptied or deleted channel dropped its leases: their consumers hear it below
            dropped = topic.takeExpiries();
            topic.lock.unlock();
            reportExpired(dropped);
        }
    }

    List<TopicStats> statsNow() {
        List<TopicState> all = new ArrayList<>(topics.values());
        all.sort(Comparator.comparing(t -> t.name));
        List<TopicStats> out = new ArrayList<>(all.size());
        for (TopicState topic : all) {
            topic.lock.lock();
            try {
                if (!topic.deleted()) {
                    out.add(topic.stats());
                }
            } finally {
                topic.lock.unlock();
            }
        }
        return out;
    }

    Optional<TopicStats> statsNow(String name) {
        if (!Names.isValid(name)) {
            return Optional.empty();
        }
        TopicState topic = topics.get(name);
        if (topic == null) {
            return Optional.empty();
        }
        topic.lock.lock();
        try {
            return topic.deleted() ? Optional.empty() : Optional.of(topic.stats());
        } finally {
            topic.lock.unlock();
        }
    }

    @Override
    public void close() {
        synchronized (topicsLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        queueStates.close();
        loops.close();
        for (TopicState topic : topics.values()) {
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
        sync.close();
        for (TopicState topic : topics.values()) {
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

    // ---- the Engine's administration and statistics, as stages ----------------------------------
    // Thin wrappers over the synchronous bodies above: the embedded engine answers on the caller's
    // thread and hands back a completed stage (failures included), with no hand-off.

    @Override
    public CompletionStage<Void> createTopic(String topic) {
        return completed(() -> createTopicNow(topic));
    }

    @Override
    public CompletionStage<Void> deleteTopic(String topic) {
        return completed(() -> deleteTopicNow(topic));
    }

    @Override
    public CompletionStage<Void> emptyTopic(String topic) {
        return completed(() -> emptyTopicNow(topic));
    }

    @Override
    public CompletionStage<Void> setTopicPaused(String topic, boolean paused) {
        return completed(() -> setTopicPausedNow(topic, paused));
    }

    @Override
    public CompletionStage<Void> createChannel(String topic, String channel) {
        return completed(() -> createChannelNow(topic, channel));
    }

    @Override
    public CompletionStage<Void> deleteChannel(String topic, String channel) {
        return completed(() -> deleteChannelNow(topic, channel));
    }

    @Override
    public CompletionStage<Void> emptyChannel(String topic, String channel) {
        return completed(() -> emptyChannelNow(topic, channel));
    }

    @Override
    public CompletionStage<Void> setChannelPaused(String topic, String channel, boolean paused) {
        return completed(() -> setChannelPausedNow(topic, channel, paused));
    }

    @Override
    public CompletionStage<Void> setDeadLetter(String topic, String channel, DeadLetter policy) {
        return completed(() -> setDeadLetterNow(topic, channel, policy));
    }

    @Override
    public CompletionStage<List<TopicStats>> stats() {
        return CompletableFuture.completedFuture(statsNow());
    }

    @Override
    public CompletionStage<Optional<TopicStats>> stats(String topic) {
        return CompletableFuture.completedFuture(statsNow(topic));
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
