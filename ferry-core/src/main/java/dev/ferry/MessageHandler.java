package dev.ferry;

/**
 * Handles the messages of a subscription synchronously: {@code bus.subscribe("orders", "billing", m
 * -> bill(m))}. Called on the bus's handler executor, never on an I/O or engine thread, with at most
 * the subscription's max-in-flight calls running at once.
 *
 * <p>Returning normally finishes the message, throwing requeues it with the subscription's backoff
 * (or moves it to the dead letters when its attempts are used up), unless the handler responded
 * itself or took control of the message (see {@link Message#takeControl()}). A handler whose work
 * completes later is an {@link AsyncMessageHandler}, subscribed with {@link Bus#subscribeAsync}.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Handles one message; may block its handler thread (which holds up that thread's next message).
     *
     * @throws Exception to requeue the message
     */
    void handle(Message message) throws Exception;
}
