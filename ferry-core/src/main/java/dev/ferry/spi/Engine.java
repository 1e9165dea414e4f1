package dev.ferry.spi;

import dev.ferry.DeadLetter;
import dev.ferry.NotSupportedException;
import dev.ferry.TopicStats;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A storage engine: topics as logs that every channel reads, channels that hand out messages as
 * leases. Knows nothing about connections, RDY or wire ids; those belong to the layers above.
 *
 * <p>All methods are thread-safe. {@link #append} may block briefly to write (never to wait for an
 * fsync; the future completes when the engine's durability promise holds). The other methods do
 * not wait for the disk. Names are assumed valid (callers check them with {@link
 * dev.ferry.Names}).
 *
 * <p>Some capabilities are optional ({@link Capability}): an engine that lacks one says so in {@link
 * #capabilities()}, and its methods for it throw a {@link NotSupportedException} naming the engine
 * and what it does not do (the defaults of {@link #queueState()} and {@link #setDeadLetter}).
 */
public interface Engine extends AutoCloseable {

    /** What an engine may offer beyond topics and channels. */
    enum Capability {
        /** {@link #queueState()}: the state of busmq-style queues (ttl, attachments, metadata). */
        QUEUE_STATE("does not keep queue state (busmq queues need it)"),
        /** {@link #setDeadLetter}: moving messages past their attempts to a dead-letter topic. */
        DEAD_LETTERS("does not move messages to dead-letter topics (dead-letter policies need it)");

        private final String lacking;

        Capability(String lacking) {
            this.lacking = lacking;
        }

        /** The error that {@code engine}, lacking this capability, throws when asked for it. */
        public NotSupportedException missingIn(Engine engine) {
            return new NotSupportedException("the engine " + engine.name() + " " + lacking);
        }
    }

    /**
     * What this engine names itself in messages: its URI ({@code file:/var/lib/ferry}, {@code
     * memory:}) or, by default, its class's simple name.
     */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The optional capabilities this engine offers; none by default. */
    default Set<Capability> capabilities() {
        return Set.of();
    }

    /**
     * Appends a batch to a topic, creating the topic when needed. All or nothing: a refused batch
     * stores nothing. The returned future completes when the batch is durable under the sync policy,
     * or exceptionally with {@link dev.ferry.PublishRejectedException} when a limit refused it.
     */
    CompletableFuture<Void> append(String topic, List<PublishRecord> batch);

    /**
     * Registers a consumer of a channel, creating the topic and channel when needed. The engine calls
     * {@code onAvailable} (on an engine thread; it must not block) whenever messages may have become
     * claimable: after a publish, a requeue, a timeout, a deferral coming due or an unpause. Closing
     * the registration removes the consumer; an ephemeral channel goes away with its last one.
     */
    Registration register(String topic, String channel, Runnable onAvailable);

    /**
     * Hands out up to {@code max} ready messages of a channel as leases that expire after {@code
     * timeout}. Returns an empty list when nothing is ready or the topic or channel is paused or
     * missing. Never blocks on other consumers' work beyond a short lock.
     */
    List<Lease> claim(String topic, String channel, int max, Duration timeout);

    /** Finishes a leased message (FIN). Returns false when the lease is stale or unknown. */
    boolean ack(Lease lease);

    /**
     * Requeues a leased message (REQ) to be delivered again after {@code delay} (zero: at once).
     * Returns false when the lease is stale or unknown.
     */
    boolean nack(Lease lease, Duration delay);

    /** Restarts a lease's timeout with {@code timeout} (TOUCH). False when stale or unknown. */
    boolean extend(Lease lease, Duration timeout);

    /** Creates a topic; no-op when it exists. */
    void createTopic(String topic);

    /** Deletes a topic. @throws dev.ferry.NotFoundException when missing */
    void deleteTopic(String topic);

    /** Drops what the topic holds for a first channel. @throws dev.ferry.NotFoundException */
    void emptyTopic(String topic);

    /** Pauses or unpauses a topic. @throws dev.ferry.NotFoundException when missing */
    void setTopicPaused(String topic, boolean paused);

    /** Creates a channel (and its topic); no-op when it exists. */
    void createChannel(String topic, String channel);

    /** Deletes a channel. @throws dev.ferry.NotFoundException when missing */
    void deleteChannel(String topic, String channel);

    /** Drops every message of a channel. @throws dev.ferry.NotFoundException when missing */
    void emptyChannel(String topic, String channel);

    /** Pauses or unpauses a channel. @throws dev.ferry.NotFoundException when missing */
    void setChannelPaused(String topic, String channel, boolean paused);

    /**
     * Sets a channel's dead-letter policy ({@link DeadLetter#NONE} removes it). From then on {@link
     * #claim} never hands out a message of the channel that was already delivered {@code
     * maxAttempts} times: the engine appends its body unchanged to the dead-letter topic (as {@link
     * #append} would, creating the topic) and, once that append is durable, finishes the message on
     * the channel and counts it in {@link dev.ferry.ChannelStats#deadLetterCount()}; when the append
     * fails the message is requeued and tried again. The policy is part of the channel's state: shown
     * in {@link dev.ferry.ChannelStats#deadLetter()} and kept as long as the channel is (a durable
     * engine keeps it across restarts).
     *
     * <p>Optional ({@link Capability#DEAD_LETTERS}): by default this throws.
     *
     * @throws dev.ferry.NotFoundException when the topic or channel is missing
     * @throws IllegalArgumentException when the dead-letter topic ({@link DeadLetter#topicFor}) is
     *     invalid or the topic itself
     * @throws NotSupportedException when this engine does not offer dead letters
     */
    default void setDeadLetter(String topic, String channel, DeadLetter policy) {
        throw Capability.DEAD_LETTERS.missingIn(this);
    }

    /**
     * The state of busmq-style queues (ttl, attachments, metadata) kept beside the topics; an
     * expired or destroyed queue's topic is deleted by the engine.
     *
     * <p>Optional ({@link Capability#QUEUE_STATE}): by default this throws.
     *
     * @throws NotSupportedException when this engine does not keep queue state
     */
    default QueueStateStore queueState() {
        throw Capability.QUEUE_STATE.missingIn(this);
    }

    /** Statistics of every topic, sorted by name. */
    List<TopicStats> stats();

    /** Statistics of one topic. */
    Optional<TopicStats> stats(String topic);

    /**
     * Tells {@code listener} of every topic and channel created or deleted from now on, however it
     * happened (administration, a first publish or subscription, an ephemeral channel losing its last
     * consumer), until the returned registration is closed. What exists already is not reported: read
     * it with {@link #stats()} after watching, so nothing falls between the two.
     *
     * <p>The listener is called on the thread that made the change, in the order the changes happened,
     * while the engine may hold a lock: it must return quickly, must not block and must not call the
     * engine. An exception it throws is logged and does not undo the change.
     */
    Registration watch(TopologyListener listener);

    /**
     * Stops the engine: pending writes are flushed and synced, in-flight messages stay recorded as
     * in flight (they are redelivered with their attempts after a restart). Idempotent.
     */
    @Override
    void close();

    /**
     * Hears of topics and channels coming and going ({@link #watch}). Deleting a topic reports each
     * of its channels deleted, then the topic. Every method does nothing unless overridden.
     */
    interface TopologyListener {
        /** A topic was created. */
        default void topicCreated(String topic) {}

        /** A topic was deleted, after its channels were reported deleted. */
        default void topicDeleted(String topic) {}

        /** A channel was created; its topic, if new, was reported created before. */
        default void channelCreated(String topic, String channel) {}

        /** A channel was deleted. */
        default void channelDeleted(String topic, String channel) {}
    }

    /** A consumer's registration on a channel, or a {@link #watch watch}. */
    interface Registration extends AutoCloseable {
        /** Removes the consumer, or stops the watch. Idempotent. */
        @Override
        void close();
    }
}
