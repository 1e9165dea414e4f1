package dev.ferry.spi;

/**
 * Hears how long an engine's storage took, for monitoring ({@link Engine#observe}): each write of a
 * batch to a topic's log, and each round that forces written data to disk. An engine without such
 * storage (one over the network, or in memory only) never calls it.
 *
 * <p>Called on the engine's own threads (the publishing thread for a write, the sync thread for a
 * round), possibly while a topic's lock is held: it must return at once, must not block and must
 * not call the engine. An exception it throws is logged and ignored. Every method does nothing
 * unless overridden.
 */
public interface EngineTimings {
    /**
     * A batch of publishes was written to a topic's log (not yet forced to disk).
     *
     * @param nanos how long the write took, in nanoseconds
     */
    default void written(long nanos) {}

    /**
     * One round forced what was written to disk (fsync of the retry stores, logs and journals).
     *
     * @param nanos how long the round took, in nanoseconds
     */
    default void synced(long nanos) {}
}
