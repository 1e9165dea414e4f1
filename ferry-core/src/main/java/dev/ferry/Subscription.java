package dev.ferry;

/**
 * A consumer of one channel, returned by {@link Bus#subscribe}. Thread-safe.
 *
 * <p>{@link #close()} stops new deliveries, waits up to the close timeout for running handlers,
 * and requeues whatever is still in flight at once rather than waiting for its timeout.
 */
public interface Subscription extends AutoCloseable {
    /** The topic consumed. */
    String topic();

    /** The channel consumed. */
    String channel();

    /** Stops new deliveries to this subscription; messages already delivered carry on. */
    void pause();

    /** Resumes deliveries after {@link #pause()}. */
    void resume();

    /** Whether the subscription is paused. */
    boolean isPaused();

    /** The number of messages delivered to this subscription and not yet responded to. */
    int inFlight();

    /** Stops the subscription; blocks up to the close timeout. Idempotent. */
    @Override
    void close();
}
