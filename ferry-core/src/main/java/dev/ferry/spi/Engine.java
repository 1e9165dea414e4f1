package dev.ferry.spi;

import dev.ferry.DeadLetter;
import dev.ferry.NotSupportedException;
import dev.ferry.TopicStats;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A storage engine: topics as logs that every channel reads, channels that hand out messages as
 * leases. Knows nothing about connections, RDY or wire ids; those belong to the layers above.
 *
 * <p>All methods are thread-safe. Names are assumed valid (callers check them with {@link
 * dev.ferry.Names}).
 *
 * <h2>The data path completes later</h2>
 *
 * {@link #append}, {@link #claim}, {@link #ack}, {@link #nack} and {@link #extend} return a stage
 * that completes when the engine has answered: an engine that talks over the network completes it
 * on one of its own threads (an I/O thread), an embedded engine usually returns a stage that is
 * already complete. Callers therefore never block on these stages: they chain on them ({@code
 * whenComplete}, {@code thenAccept}) and hand the result to their own thread when they need to (a
 * Netty event loop, a dispatch thread); a callback chained on a stage runs on the thread that
 * completes it, or at once on the caller's thread when the stage is already complete, so it must
 * be short and must not block either. The methods themselves do not wait for the disk or the
 * network (an embedded {@link #append} may write before it returns, never waiting for an fsync).
 *
 * <p>Failures complete the stage exceptionally (for instance with a {@link
 * dev.ferry.StorageException}); a stale or unknown lease is not a failure: its stage completes
 * with {@code false}. Stages are completed once and never cancelled by the engine; callers must not
 * try to complete or obtrude them (an engine may hand the same completed stage to many callers).
 *
 * <h2>Administration and statistics complete later too</h2>
 *
 * {@link #createTopic}, {@link #deleteTopic}, {@link #emptyTopic}, {@link #setTopicPaused}, {@link
 * #createChannel}, {@link #deleteChannel}, {@link #emptyChannel}, {@link #setChannelPaused}, {@link
 * #setDeadLetter} and {@link #stats()} / {@link #stats(String)} return stages under the same rules
 * as the data path: an engine over the network answers them on its own thread, the embedded engine
 * with stages already complete. Their failures (a {@link dev.ferry.NotFoundException} for a missing
 * topic or channel, an {@link IllegalArgumentException} for a refused argument, a {@link
 * NotSupportedException} for a missing capability) complete the stage exceptionally with that
 * exception, never thrown from the call. A caller on a Netty event loop or a dispatch thread chains
 * on the stage (an HTTP endpoint writes its answer when it completes); only a thread of the
 * application's own may wait for it (as {@link dev.ferry.BusAdmin} does).
 *
 * <p>Two parts stay synchronous on purpose. {@link #watch} only adds a listener (an engine over the
 * network subscribes to its server's changes in the background and reports them to the listener as
 * they arrive), so registering never waits. {@link #queueState()} only hands out the {@link
 * QueueStateStore}, which is not a per-message path: busmq queues call it when a queue is attached,
 * detached or inspected, from the application's threads or an HTTP endpoint, and an engine whose
 * store needs the network is expected to answer those calls from a local view it keeps up to date;
 * see that interface for what its calls may block on.
 *
 * <h2>Consumers and expiry</h2>
 *
 * A consumer {@link #register registers} on a channel with a {@link ConsumerListener} and claims
 * through its {@link Consumer}: the engine tells the listener when messages may be claimable and
 * when a lease it claimed expired, so the layers above need no timers of their own to free the
 * slot of a message that timed out.
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
        DEAD_LETTERS("does not move messages to dead-letter topics (dead-letter policies need it)"),
        /**
         * The messages of every topic and channel that is not ephemeral are on this node's disk once
         * their publish completes (what nsqd's {@code backend_depth} counts); without it, an engine
         * is taken to keep them in memory (or elsewhere), and reports none of them as on disk.
         */
        DISK_STORAGE("keeps its messages in memory only");

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
     * {@code listener} (on an engine thread or the thread of the operation that caused it; the
     * listener must not block and must not wait for the engine): {@link ConsumerListener#available}
     * whenever messages may have become claimable (after a publish, a requeue, a timeout, a deferral
     * coming due or an unpause, and once at registration), {@link ConsumerListener#expired} for each
     * lease claimed through the returned consumer that expired unanswered or was dropped with its
     * channel. Closing the consumer removes it; an ephemeral channel goes away with its last one.
     *
     * <p>Returns at once and never waits for the network or the disk: the broker calls it on an event
     * loop (SUB). An engine whose registration takes a round trip (creating a consumer group on a
     * server) returns the consumer at once, finishes the registration in the background, and
     * completes the consumer's first claims once it is done (with the registration's failure, if it
     * failed); it tells the listener {@link ConsumerListener#available} when it is ready.
     */
    Consumer register(String topic, String channel, ConsumerListener listener);

    /**
     * Hands out up to {@code max} ready messages of a channel as leases that expire after {@code
     * timeout}, for no registered consumer: nobody hears when they expire (tools and tests; a
     * consumer claims through {@link Consumer#claim}). The stage completes with an empty list when
     * nothing is ready or the topic or channel is paused or missing.
     */
    CompletionStage<List<Lease>> claim(String topic, String channel, int max, Duration timeout);

    /**
     * Finishes a leased message (FIN). Completes with {@code true} when done, {@code false} when the
     * lease is stale or unknown (it expired, was answered already, or its channel is gone).
     */
    CompletionStage<Boolean> ack(Lease lease);

    /**
     * Finishes several leased messages at once (a run of FINs a connection read together), with one
     * answer per lease in the order given: {@code true} when done, {@code false} when that lease is
     * stale or unknown. A stale lease does not stop the others. The leases may belong to different
     * topics and channels. The default answers each with {@link #ack(Lease)}; the embedded engine
     * takes each topic's lock once for all of that topic's leases, so a consumer finishing at a high
     * rate does not contend with publishers once per message.
     *
     * @param leases the leases to finish; not modified, and not kept after the stage completes
     * @return a stage completing with a list of {@code leases.size()} answers, or exceptionally when
     *     the engine failed (then none, some or all of the leases may have been finished)
     */
    default CompletionStage<List<Boolean>> ack(List<Lease> leases) {
        Boolean[] answers = new Boolean[leases.size()];
        CompletableFuture<?>[] stages = new CompletableFuture<?>[leases.size()];
        for (int i = 0; i < stages.length; i++) {
            int at = i;
            // chained, never joined: a caller on an event loop must not call a blocking method
            stages[i] = ack(leases.get(i)).thenAccept(ok -> answers[at] = ok).toCompletableFuture();
        }
        return CompletableFuture.allOf(stages).thenApply(v -> Arrays.asList(answers));
    }

    /**
     * Requeues a leased message (REQ) to be delivered again after {@code delay} (zero: at once).
     * Completes with {@code false} when the lease is stale or unknown.
     */
    CompletionStage<Boolean> nack(Lease lease, Duration delay);

    /**
     * Restarts a lease's timeout with {@code timeout} (TOUCH). Completes with {@code false} when the
     * lease is stale or unknown.
     */
    CompletionStage<Boolean> extend(Lease lease, Duration timeout);

    /** Creates a topic; completes at once (no-op) when it exists. */
    CompletionStage<Void> createTopic(String topic);

    /**
     * Deletes a topic with its channels and messages. Completes exceptionally with a {@link
     * dev.ferry.NotFoundException} when it is missing.
     */
    CompletionStage<Void> deleteTopic(String topic);

    /**
     * Drops what the topic holds for a first channel. Completes exceptionally with a {@link
     * dev.ferry.NotFoundException} when it is missing.
     */
    CompletionStage<Void> emptyTopic(String topic);

    /**
     * Pauses or unpauses a topic. Completes exceptionally with a {@link dev.ferry.NotFoundException}
     * when it is missing.
     */
    CompletionStage<Void> setTopicPaused(String topic, boolean paused);

    /** Creates a channel (and its topic); completes at once (no-op) when it exists. */
    CompletionStage<Void> createChannel(String topic, String channel);

    /**
     * Deletes a channel and its messages. Completes exceptionally with a {@link
     * dev.ferry.NotFoundException} when the topic or channel is missing.
     */
    CompletionStage<Void> deleteChannel(String topic, String channel);

    /**
     * Drops every message of a channel. Completes exceptionally with a {@link
     * dev.ferry.NotFoundException} when the topic or channel is missing.
     */
    CompletionStage<Void> emptyChannel(String topic, String channel);

    /**
     * Pauses or unpauses a channel. Completes exceptionally with a {@link
     * dev.ferry.NotFoundException} when the topic or channel is missing.
     */
    CompletionStage<Void> setChannelPaused(String topic, String channel, boolean paused);

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
     * <p>Optional ({@link Capability#DEAD_LETTERS}). The stage completes exceptionally with a {@link
     * dev.ferry.NotFoundException} when the topic or channel is missing, an {@link
     * IllegalArgumentException} when the dead-letter topic ({@link DeadLetter#topicFor}) is invalid
     * or the topic itself, and (by default) a {@link NotSupportedException} when this engine does not
     * offer dead letters.
     */
    default CompletionStage<Void> setDeadLetter(String topic, String channel, DeadLetter policy) {
        return CompletableFuture.failedFuture(Capability.DEAD_LETTERS.missingIn(this));
    }

    /**
     * The state of busmq-style queues (ttl, attachments, metadata) kept beside the topics; an
     * expired or destroyed queue's topic is deleted by the engine.
     *
     * <p>Synchronous: it only hands out the store and does not talk to the engine (the class
     * documentation says why the store stays synchronous).
     *
     * <p>Optional ({@link Capability#QUEUE_STATE}): by default this throws.
     *
     * @throws NotSupportedException when this engine does not keep queue state
     */
    default QueueStateStore queueState() {
        throw Capability.QUEUE_STATE.missingIn(this);
    }

    /**
     * The busmq queues this engine keeps in node busmq's own layout, so that Ferry's busmq queues
     * and duplexes on it interoperate with node busmq; empty by default (they are then built on
     * topics and channels). Synchronous: only hands out the store.
     */
    default Optional<BusmqQueues> busmqQueues() {
        return Optional.empty();
    }

    /** Statistics of every topic, sorted by name, as one snapshot per topic. */
    CompletionStage<List<TopicStats>> stats();

    /** Statistics of one topic; empty when it does not exist. */
    CompletionStage<Optional<TopicStats>> stats(String topic);

    /**
     * Tells {@code listener} of every topic and channel created or deleted from now on, however it
     * happened (administration, a first publish or subscription, an ephemeral channel losing its last
     * consumer), until the returned registration is closed. What exists already is not reported: read
     * it with {@link #stats()} after watching, so nothing falls between the two.
     *
     * <p>Synchronous: watching only adds the listener and never waits for the engine (an engine over
     * the network starts following its server's changes in the background), so any thread may call
     * it. What exists already is read with {@link #stats()} afterwards.
     *
     * <p>The listener is called on the thread that made the change, in the order the changes happened,
     * while the engine may hold a lock: it must return quickly, must not block and must not call the
     * engine. An exception it throws is logged and does not undo the change.
     */
    Registration watch(TopologyListener listener);

    /**
     * Tells {@code timings} how long each write to a topic's log and each round of forcing data to
     * disk takes, until the returned registration is closed. Only adds the listener, never waits.
     * An engine without such storage never calls it (the default: it registers nothing).
     */
    default Registration observe(EngineTimings timings) {
        return () -> {};
    }

    /**
     * How much disk the engine's data takes and how much is left, read now (a quick call to the file
     * system; safe on an event loop); empty for an engine that keeps no data on this machine's disk
     * (the default, an in-memory engine, an engine over the network).
     */
    default Optional<DiskUsage> diskUsage() {
        return Optional.empty();
    }

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

    /**
     * A consumer registered on a channel ({@link #register}): claims on its behalf, so that the
     * engine can tell its listener when one of its leases expires. Thread-safe.
     */
    interface Consumer extends Registration {
        /**
         * Hands out up to {@code max} ready messages of the channel as leases that expire after
         * {@code timeout}; the consumer's listener hears of each one that expires unanswered. The
         * stage completes with an empty list when nothing is ready, the topic or channel is paused,
         * or the consumer is closed.
         */
        CompletionStage<List<Lease>> claim(int max, Duration timeout);
    }

    /**
     * What a consumer hears from the engine ({@link #register}). Called on an engine thread or on
     * the thread of the operation that caused it, possibly on several threads at once: each method
     * must return quickly, must not block and must not wait for a stage of the engine.
     */
    @FunctionalInterface
    interface ConsumerListener {
        /** Messages may have become claimable. */
        void available();

        /**
         * A lease claimed through this consumer is no longer valid: it timed out unanswered (counted
         * as a timeout in the channel's statistics; the message is delivered again), or its message
         * was dropped (the channel was emptied or deleted). From now on the engine refuses the lease;
         * the consumer frees its slot. Told once per lease, after the fact, and never for a lease
         * that was acked or nacked. The lease equals the one claimed ({@link Lease#equals}). Does
         * nothing unless overridden.
         */
        default void expired(Lease lease) {}
    }
}
