package dev.ferry.support;

import dev.ferry.Bus;
import dev.ferry.DeadLetter;
import dev.ferry.Message;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription's client-side dead-letter policy: decides when a message has used up its attempts,
 * publishes its original body to the dead-letter topic, and logs where it came from. Responding to
 * the message (finish once the copy is stored, requeue when storing failed) is the caller's job,
 * since it belongs to the bus implementation.
 *
 * <p>Thread-safe; {@link #send} does not block.
 */
public final class DeadLetters {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final Bus bus;
    private final DeadLetter policy;
    private final String deadLetterTopic;

    /**
     * A policy for a subscription to {@code topic}.
     *
     * @throws IllegalArgumentException when the dead-letter topic's default name is invalid
     */
    public DeadLetters(Bus bus, String topic, DeadLetter policy) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.deadLetterTopic = policy.topicFor(topic);
    }

    /** The topic dead letters go to. */
    public String topic() {
        return deadLetterTopic;
    }

    /** Whether a message whose handler failed on delivery {@code attempts} goes to the dead letters. */
    public boolean exhaustedAfterFailure(int attempts) {
        return policy.exhausted(attempts);
    }

    /** Whether a message arriving with {@code attempts} had more deliveries than allowed (timeouts). */
    public boolean exceededOnArrival(int attempts) {
        return policy.enabled() && attempts > policy.maxAttempts();
    }

    /**
     * Publishes the message's body to the dead-letter topic and logs its origin; the future completes
     * when the copy is stored, or exceptionally when the publish failed (then the message should be
     * requeued, not finished).
     *
     * @param lastError the handler's last failure, or null when unknown (the message came back by
     *     timeouts)
     */
    public CompletableFuture<Void> send(Message message, Throwable lastError) {
        CompletableFuture<Void> stored;
        try {
            stored = bus.publishAsync(deadLetterTopic, message.body());
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        return stored.whenComplete((v, e) -> {
            if (e == null) {
                log.warn(
                        "topic {} channel {}: message {} moved to dead-letter topic {} after {} attempts"
                                + " (maxAttempts {}); last error: {}",
                        message.topic(),
                        message.channel(),
                        message.id(),
                        deadLetterTopic,
                        message.attempts(),
                        policy.maxAttempts(),
                        lastError == null ? "unknown (redelivered after timeouts)" : lastError.toString());
            } else {
                log.error(
                        "topic {} channel {}: message {} could not be moved to dead-letter topic {}; it will be"
                                + " retried: {}",
                        message.topic(),
                        message.channel(),
                        message.id(),
                        deadLetterTopic,
                        e.toString());
            }
        });
    }
}
