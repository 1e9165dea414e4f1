package dev.ferry;

import java.util.concurrent.CompletionStage;

/**
 * Handles the messages of a subscription asynchronously, subscribed with {@link Bus#subscribeAsync}:
 * the handler starts the work and returns a stage whose completion decides the message's fate.
 *
 * <pre>{@code
 * bus.subscribeAsync("orders", "billing", m -> billing.charge(m.body()));  // a CompletionStage
 * }</pre>
 *
 * <p>Called on the bus's handler executor, as a {@link MessageHandler} is. The message keeps its
 * in-flight slot until the stage completes, so the subscription's max-in-flight bounds the messages
 * whose work is still running, not just the handler calls. A stage that completes normally finishes
 * the message; one that completes exceptionally, a thrown exception, or a {@code null} instead of a
 * stage requeues it with the subscription's backoff (or moves it to the dead letters when its
 * attempts are used up), unless the handler responded itself or took control of the message (see
 * {@link Message#takeControl()}). The stage may complete on any thread; the message's timeout still
 * runs meanwhile (extend it with {@link Message#touch()}).
 */
@FunctionalInterface
public interface AsyncMessageHandler {
    /**
     * Starts handling one message. Should not block: the calling thread serves other messages.
     *
     * @return the stage whose completion finishes (normally) or requeues (exceptionally) the message;
     *     never {@code null}
     * @throws Exception to requeue the message at once
     */
    CompletionStage<?> handle(Message message) throws Exception;
}
