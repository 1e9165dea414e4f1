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
 */
public record SubscribeOptions(int maxInFlight, Duration messageTimeout, Backoff backoff, Duration closeTimeout) {

    /** The defaults: max in flight 1, timeout 60 s, default backoff, close wait 5 s. */
    public static final SubscribeOptions DEFAULT =
            new SubscribeOptions(1, Duration.ofSeconds(60), Backoff.DEFAULT, Duration.ofSeconds(5));

    /** Validates the values. */
    public SubscribeOptions {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
        Objects.requireNonNull(messageTimeout, "messageTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (messageTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("messageTimeout must be at least 1 ms, got " + messageTimeout);
        }
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
        }
    }

    /** The defaults with another max in flight. */
    public static SubscribeOptions maxInFlight(int maxInFlight) {
        return DEFAULT.withMaxInFlight(maxInFlight);
    }

    /** A copy with another max in flight. */
    public SubscribeOptions withMaxInFlight(int value) {
        return new SubscribeOptions(value, messageTimeout, backoff, closeTimeout);
    }

    /** A copy with another message timeout. */
    public SubscribeOptions withMessageTimeout(Duration value) {
        return new SubscribeOptions(maxInFlight, value, backoff, closeTimeout);
    }

    /** A copy with another backoff. */
    public SubscribeOptions withBackoff(Backoff value) {
        return new SubscribeOptions(maxInFlight, messageTimeout, value, closeTimeout);
    }

    /** A copy with another close timeout. */
    public SubscribeOptions withCloseTimeout(Duration value) {
        return new SubscribeOptions(maxInFlight, messageTimeout, backoff, value);
    }
}
