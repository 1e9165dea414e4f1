package dev.ferry.spi;

import dev.ferry.TopicStats;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A storage engine: topics as logs that every channel reads, channels that hand out messages as
 * leases. Knows nothing about connections, RDY or wire ids; those belong to the layers above.
 *
 * <p>All methods are thread-safe. {@link #append} may block briefly to write (never to wait for an
 * fsync; the future completes when the engine's durability promise holds). The other methods do
 * not wait for the disk. Names are assumed valid (callers check them with {@link
 * dev.ferry.Names}).
 */
public interface Engine extends AutoCloseable {

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
     * The state of busmq-style queues (ttl, attachments, metadata) kept beside the topics; an
     * expired or destroyed queue's topic is deleted by the engine.
     */
    QueueStateStore queueState();

    /** Statistics of every topic, sorted by name. */
    List<TopicStats> stats();

    /** Statistics of one topic. */
    Optional<TopicStats> stats(String topic);

    /**
     * Stops the engine: pending writes are flushed and synced, in-flight messages stay recorded as
     * in flight (they are redelivered with their attempts after a restart). Idempotent.
     */
    @Override
    void close();

    /** A consumer's registration on a channel. */
    interface Registration extends AutoCloseable {
        /** Removes the consumer. Idempotent. */
        @Override
        void close();
    }
}
