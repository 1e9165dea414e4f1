package dev.ferry;

import java.time.Duration;

/**
 * A message delivered to a handler.
 *
 * <p>By default the handler's outcome decides what happens to the message: returning normally
 * finishes it, throwing requeues it with the subscription's backoff, and a returned {@link
 * java.util.concurrent.CompletionStage} finishes or requeues it when it completes. A handler can
 * instead respond itself with {@link #finish()} or {@link #requeue(Duration)}, from any thread;
 * calling {@link #takeControl()} first tells Ferry not to respond when the handler returns. Only the
 * first response counts; later ones return {@code false}.
 *
 * <p>Thread-safe. The body array is owned by the message; do not modify it.
 */
public interface Message {
    /** The message id: 16 ASCII hexadecimal characters, as NSQ's. */
    String id();

    /** When the message was published, in nanoseconds since the epoch. */
    long timestamp();

    /** The delivery number: 1 on the first delivery, incremented on every redelivery. */
    int attempts();

    /** The topic the message was published to. */
    String topic();

    /** The channel it was delivered from. */
    String channel();

    /** The body, as published. */
    byte[] body();

    /**
     * Finishes the message: it will not be delivered again on this channel.
     *
     * @return {@code false} when the message was already responded to or its delivery timed out
     */
    boolean finish();

    /**
     * Requeues the message for redelivery after {@code delay} (zero: at once).
     *
     * @return {@code false} when the message was already responded to or its delivery timed out
     */
    boolean requeue(Duration delay);

    /**
     * Restarts the message's timeout.
     *
     * @return {@code false} when the message was already responded to or its delivery timed out
     */
    boolean touch();

    /**
     * Tells Ferry that the handler responds itself, later, with {@link #finish()} or {@link
     * #requeue(Duration)}: returning from the handler then does nothing to the message.
     */
    void takeControl();
}
