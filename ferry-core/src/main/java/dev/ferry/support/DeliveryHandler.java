package dev.ferry.support;

import dev.ferry.AsyncMessageHandler;
import dev.ferry.Message;
import dev.ferry.MessageHandler;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A subscription's handler as the delivery code runs it: a synchronous {@link MessageHandler} or an
 * {@link AsyncMessageHandler} behind one call, told apart once when the subscription is made.
 *
 * <p>Immutable and thread-safe when the handler it wraps is.
 */
public sealed interface DeliveryHandler {
    /**
     * Runs the handler on one message.
     *
     * @return {@code null} when the handler is done (a synchronous handler returned), or the stage
     *     whose completion says whether an asynchronous handler succeeded
     * @throws Exception when the handler failed (an asynchronous handler's {@code null} stage counts)
     */
    CompletionStage<?> start(Message message) throws Exception;

    /**
     * Whether the handler never blocks, so it may run on the thread that received the message (a
     * {@link NonBlockingHandler}).
     */
    boolean nonBlocking();

    /** A synchronous handler: done when it returns. */
    static DeliveryHandler of(MessageHandler handler) {
        return new Sync(Objects.requireNonNull(handler, "handler"));
    }

    /** An asynchronous handler: done when its stage completes. */
    static DeliveryHandler ofAsync(AsyncMessageHandler handler) {
        return new Async(Objects.requireNonNull(handler, "handler"));
    }

    /** A {@link MessageHandler}. */
    record Sync(MessageHandler handler) implements DeliveryHandler {
        @Override
        public CompletionStage<?> start(Message message) throws Exception {
            handler.handle(message);
            return null;
        }

        @Override
        public boolean nonBlocking() {
            return handler instanceof NonBlockingHandler;
        }
    }

    /** An {@link AsyncMessageHandler}. */
    record Async(AsyncMessageHandler handler) implements DeliveryHandler {
        @Override
        public CompletionStage<?> start(Message message) throws Exception {
            CompletionStage<?> stage = handler.handle(message);
            if (stage == null) {
                throw new IllegalStateException("the asynchronous handler of topic '"
                        + message.topic()
                        + "' channel '"
                        + message.channel()
                        + "' returned null instead of a CompletionStage for message "
                        + message.id());
            }
            return stage;
        }

        @Override
        public boolean nonBlocking() {
            return false;
        }
    }
}
