package dev.ferry;

import java.util.concurrent.CompletionStage;

/**
 * Handles the messages of a subscription. Called on the bus's handler executor, never on an I/O or
 * engine thread, with at most the subscription's max-in-flight calls running at once.
 *
 * <p>The return value decides the message's fate unless the handler responded itself (see {@link
 * Message}): {@code null} or any plain value finishes the message; a {@link CompletionStage}
 * finishes it when it completes normally and requeues it when it completes exceptionally; a thrown
 * exception requeues it with the subscription's backoff.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Handles one message.
     *
     * @return {@code null}, or a {@link CompletionStage} for asynchronous work
     * @throws Exception to requeue the message
     */
    Object handle(Message message) throws Exception;

    /** A handler from a plain consumer of messages: finishes when it returns, requeues on throw. */
    static MessageHandler of(ThrowingConsumer consumer) {
        return message -> {
            consumer.accept(message);
            return null;
        };
    }

    /** A consumer of messages that may throw. */
    @FunctionalInterface
    interface ThrowingConsumer {
        /** Accepts one message. */
        void accept(Message message) throws Exception;
    }
}
