package dev.ferry;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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

    /**
     * Completes once the subscription can receive messages: at once on the embedded bus; through a
     * broker, when its first connection has subscribed (later reconnections do not matter). It never
     * completes while no broker can be reached, and never completes exceptionally; it does not block.
     * A consumer that should give up after an idle time counts that time from here, so that a slow
     * connection is not taken for idleness.
     */
    default CompletionStage<Void> ready() {
        return CompletableFuture.completedFuture(null);
    }

    /** Stops the subscription; blocks up to the close timeout. Idempotent. */
    @Override
    void close();
}
