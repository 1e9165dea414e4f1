package dev.ferry;

/**
 * When a subscription finishes a message (see {@link SubscribeOptions#ackMode()}).
 *
 * <p>Either way a subscription runs at most its max-in-flight handlers at once: with {@link
 * #IMMEDIATE} the message is finished before its handler runs, but the slot stays taken until the
 * handler returns (or its {@link java.util.concurrent.CompletionStage} completes), so a slow handler
 * still slows delivery down instead of piling messages up in memory.
 */
public enum AckMode {
    /**
     * Finish each message as it arrives, before its handler runs: at most once. A handler that then
     * throws loses the message (the failure is logged); there is no requeue and no dead letter.
     */
    IMMEDIATE,

    /**
     * Finish when the handler returns, requeue with the subscription's exponential backoff when it
     * throws, and, with a {@link DeadLetter} policy, move the message to a dead-letter topic once its
     * attempts are used up: at least once. The default.
     */
    AFTER_HANDLER
}
