package dev.ferry.support;

import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import org.slf4j.Logger;

/**
 * The subscription an {@link AbstractDeliveredMessage} belongs to: the options and dead-letter policy
 * its responses follow, the clock its deadline runs on, and where a freed in-flight slot goes.
 *
 * <p>Threading: every method may be called from any thread (handler threads, the thread that
 * responds, the thread that reports an expiry) and must not block.
 *
 * @param <M> the owner's message type
 */
public interface DeliveryOwner<M extends AbstractDeliveredMessage<M>> extends Subscription {
    /** The subscription's options (ack mode, message timeout, backoff). */
    SubscribeOptions options();

    /** The dead-letter policy, or null when there is none. */
    DeadLetters deadLetters();

    /** The time a message's deadline is measured against, in milliseconds. */
    long nowMillis();

    /** The message was answered, expired or dropped: free its in-flight slot (idempotent). */
    void released(M message);

    /** Where handler failures are reported. */
    Logger log();

    /** A handler succeeded and its message was finished by the outcome (not under manual control). */
    default void onHandlerSuccess() {}

    /** A handler failed and its message was requeued or dead-lettered by the outcome. */
    default void onHandlerFailure() {}
}
