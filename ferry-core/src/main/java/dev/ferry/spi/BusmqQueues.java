package dev.ferry.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * busmq queues kept by an engine in node busmq's own storage layout, so that {@link
 * dev.ferry.busmq.BusQueue} and {@link dev.ferry.busmq.Duplex} on a bus over that engine share
 * their queues with node busmq services. An engine that offers it ({@link
 * Engine#busmqQueues()}) makes those two classes use it instead of topics and channels.
 *
 * <p>Thread-safe. Every call of a {@link Queue} blocks until the store answered (one round trip,
 * or a few when the queue's instance is first looked up) and throws a {@link
 * dev.ferry.StorageException} naming the store when it cannot be reached.
 */
public interface BusmqQueues {

    /**
     * A handle on the queue {@code name}; nothing is created until {@link Queue#attach}. Names are
     * taken as they are (busmq accepts any string).
     */
    Queue queue(String name);

    /** One queue, as one node busmq {@code Queue} object sees it. */
    interface Queue {
        /**
         * Attaches: creates the queue with {@code ttl} and {@code maxsize} when it does not exist
         * (a queue that exists keeps its stored ttl and maxsize), and keeps it alive until {@link
         * #detach}. Attaching again only renews.
         *
         * @param ttl how long the queue lives once nobody keeps it alive (whole seconds, at least 1)
         * @param maxsize the most messages the queue holds, 0 for no limit
         * @return {@code true} when the queue existed already
         */
        boolean attach(Duration ttl, long maxsize);

        /** Stops keeping the queue alive; it expires after its ttl unless someone else keeps it. */
        void detach();

        /**
         * Pushes messages in order, all or none, in one round trip.
         *
         * @return the id of the last one, or 0 when the queue's maxsize refused them
         */
        long push(java.util.List<String> messages);

        /**
         * Starts consuming.
         *
         * @param remove take messages out ({@code true}) or read them where they are
         * @param max the most messages to take, 0 for no limit
         * @param reliable busmq's reliable mode: taken messages are kept until {@link #ack}ed, and
         *     those not acknowledged up to {@code lastAcked} are put back first
         * @param lastAcked the last id acknowledged before (reliable mode only)
         * @param sink where messages go, one at a time, in order, on one thread of the store
         */
        Consumption consume(boolean remove, long max, boolean reliable, long lastAcked, Sink sink);

        /** Reliable mode: acknowledges every message up to and including {@code id}. */
        void ack(long id);

        /** Deletes the queue with its messages and state, for every client. */
        void destroy();

        /** Removes every waiting message; the queue stays. */
        void flush();

        /** Whether the queue exists (its metadata does). */
        boolean exists();

        /** The number of waiting messages. */
        long count();

        /** The stored ttl, empty when the queue does not exist. */
        Optional<Duration> ttl();

        /** A metadata value, empty when unset or when the queue does not exist. */
        Optional<String> metadata(String key);

        /**
         * Sets a metadata value ({@code null} removes it).
         *
         * @throws dev.ferry.NotFoundException when the queue does not exist
         */
        void metadata(String key, String value);
    }

    /** Receives what a consumption takes. */
    interface Sink {
        /** A message and its busmq id. */
        void message(long id, String message);

        /** Something failed in the background (the consumption goes on when it can). */
        void error(Throwable error);

        /** The maximum was reached and the last message delivered; called once. */
        void done();
    }

    /** A running consumption. */
    interface Consumption {
        /**
         * Stops: no message is taken after this returns (one already taken is still delivered).
         * Idempotent; may be called from the sink.
         */
        void stop();

        /** Whether it stopped (by {@link #stop} or at its maximum). */
        boolean stopped();
    }

    /** Implemented by a {@link dev.ferry.Bus} that can hand out its engine's busmq queues. */
    interface Provider {
        /** The busmq queues of this bus's engine, when it keeps them in busmq's layout. */
        Optional<BusmqQueues> busmqQueues();
    }
}
