package dev.ferry.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The state of busmq-style queues that NSQ has no place for: each queue's ttl, its attachments and
 * its metadata. The queue's messages are those of the topic of the same name (the engine's topics
 * and channels); this store only decides how long that topic lives.
 *
 * <p>A queue exists from its first {@link #attach} until it is {@linkplain #destroy destroyed} or
 * expires: a queue with no attachment expires {@code ttl} after its last attachment went, and then
 * its state and its topic (with every message) are deleted. An attachment lasts until it is
 * detached, or, when it was made with a lease, until the lease lapses without being renewed by
 * another {@link #attach} with the same id (so a remote client that dies does not keep its queues
 * alive for ever). Expiry is decided against the engine's clock: every call sees expired queues as
 * missing, and the engine deletes their topics in the background.
 *
 * <p>Durable engines keep each queue's ttl and metadata across a restart; attachments are not kept
 * (their holders are gone with the process or must attach again), so after a restart every queue
 * counts as detached at the moment of recovery.
 *
 * <p>Thread-safe. Calls may write a small file (durable engines) and so may block briefly; none
 * waits on other clients. Names are assumed valid topic names.
 */
public interface QueueStateStore {

    /**
     * Attaches {@code attachment} to {@code queue}, creating the queue when it does not exist, and
     * sets the queue's ttl. Attaching again with the same id renews that attachment (and its lease).
     *
     * @param ttl how long the queue lives once it has no attachment (at least 1 ms)
     * @param lease how long the attachment lasts unless renewed; {@link Duration#ZERO} for until it
     *     is detached
     * @return {@code true} when the queue already existed, {@code false} when this call created it
     */
    boolean attach(String queue, String attachment, Duration ttl, Duration lease);

    /**
     * Removes an attachment; the queue's ttl starts when its last attachment goes.
     *
     * @return {@code false} when the queue or the attachment was unknown
     */
    boolean detach(String queue, String attachment);

    /** The queue's state, or empty when it does not exist (never created, expired or destroyed). */
    Optional<QueueState> state(String queue);

    /**
     * Sets one metadata value of an existing queue ({@code null} removes the key).
     *
     * @throws dev.ferry.NotFoundException when the queue does not exist
     */
    void setMetadata(String queue, String key, String value);

    /**
     * Deletes the queue's state and its topic with every message. Attachments held elsewhere are
     * dropped with it.
     *
     * @return {@code false} when the queue did not exist (its topic is deleted all the same)
     */
    boolean destroy(String queue);

    /**
     * A snapshot of one queue.
     *
     * @param name the queue (and topic) name
     * @param ttl how long it lives without attachments
     * @param attachments the number of live attachments
     * @param metadata its metadata, in no particular order
     */
    record QueueState(String name, Duration ttl, int attachments, Map<String, String> metadata) {
        /** Copies the metadata. */
        public QueueState {
            metadata = Map.copyOf(metadata);
        }
    }

    /**
     * Implemented by a {@link dev.ferry.Bus} that can reach a queue state store: an embedded bus
     * (its engine's) and a bus connected to Ferry brokers (their HTTP endpoints).
     */
    interface Provider {
        /**
         * The store of this bus.
         *
         * @throws dev.ferry.NotSupportedException when the bus cannot reach one (e.g. no HTTP address)
         */
        QueueStateStore queueState();
    }
}
