package dev.ferry;

import java.time.Duration;
import java.util.Objects;

/**
 * How a subscription consumes its channel.
 *
 * @param maxInFlight the most messages delivered to this subscription and not yet finished or
 *     requeued; also the most handlers running at once (default 1)
 * @param messageTimeout how long a delivered message may stay unfinished before it is redelivered
 *     (default 60 s; {@link Message#touch()} restarts it)
 * @param backoff the requeue delay after a handler fails (default exponential from 1 s to 60 s)
 * @param closeTimeout how long closing waits for running handlers before requeueing their messages
 *     (default 5 s)
 * @param ackMode when messages are finished (default {@link AckMode#AFTER_HANDLER})
 * @param deadLetter when a failing message stops being retried and where it goes (default {@link
 *     DeadLetter#NONE}: retried for ever); needs {@link AckMode#AFTER_HANDLER}
 */
public record SubscribeOptions(
        int maxInFlight,
        Duration messageTimeout,
        Backoff backoff,
        Duration closeTimeout,
        AckMode ackMode,
        DeadLetter deadLetter) {

    /** The defaults: max in flight 1, timeout 60 s, default backoff, close wait 5 s, ack after handler. */
    public static final SubscribeOptions DEFAULT = new SubscribeOptions(
            1, Duration.ofSeconds(60), Backoff.DEFAULT, Duration.ofSeconds(5), AckMode.AFTER_HANDLER, DeadLetter.NONE);

    /** Validates the values. */
    public SubscribeOptions {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
        Objects.requireNonNull(messageTimeout, "messageTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        Objects.requireNonNull(ackMode, "ackMode");
        Objects.requireNonNull(deadLetter, "deadLetter");
        if (messageTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("messageTimeout must be at least 1 ms, got " + messageTimeout);
        }
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
        }
        if (deadLetter.enabled() && ackMode == AckMode.IMMEDIATE) {
            throw new IllegalArgumentException("a dead-letter policy needs ackMode AFTER_HANDLER: with IMMEDIATE a"
                    + " message is finished on receipt and never retried");
        }
    }

    /** Options with the default ack mode and no dead-letter policy. */
    public SubscribeOptions(int maxInFlight, Duration messageTimeout, Backoff backoff, Duration closeTimeout) {
        this(maxInFlight, messageTimeout, backoff, closeTimeout, AckMode.AFTER_HANDLER, DeadLetter.NONE);
    }

    /** The defaults with another max in flight. */
    public static SubscribeOptions maxInFlight(int maxInFlight) {
        return DEFAULT.withMaxInFlight(maxInFlight);
    }

    /** A copy with another max in flight. */
    public SubscribeOptions withMaxInFlight(int value) {
        return new SubscribeOptions(value, messageTimeout, backoff, closeTimeout, ackMode, deadLetter);
    }

    /** A copy with another message timeout. */
    public SubscribeOptions withMessageTimeout(Duration value) {
        return new SubscribeOptions(maxInFlight, value, backoff, closeTimeout, ackMode, deadLetter);
    }

    /** A copy with another backoff. */
    public SubscribeOptions withBackoff(Backoff value) {
        return new SubscribeOptions(maxInFlight, messageTimeout, value, closeTimeout, ackMode, deadLetter);
    }

    /** A copy with another close timeout. */
    public SubscribeOptions withCloseTimeout(Duration value) {
        return new SubscribeOptions(maxInFlight, messageTimeout, backoff, value, ackMode, deadLetter);
    }

    /** A copy with another ack mode. */
    public SubscribeOptions withAckMode(AckMode value) {
        return new SubscribeOptions(maxInFlight, messageTimeout, backoff, closeTimeout, value, deadLetter);
    }

    /**
     * A copy with a dead-letter policy, e.g. {@code withDeadLetter(DeadLetter.after(5))}. The bus
     * checks the dead-letter topic's name when subscribing.
     */
    public SubscribeOptions withDeadLetter(DeadLetter value) {
        return new SubscribeOptions(maxInFlight, messageTimeout, backoff, closeTimeout, ackMode, value);
    }
}
