package dev.ferry.support;

import dev.ferry.FerryException;
import dev.ferry.Names;
import dev.ferry.PublishRejectedException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The argument checks every {@link dev.ferry.Bus} makes before a publish (topic name, non-empty
 * bodies within the max message size, a non-negative defer delay), and the blocking wait of the
 * synchronous publish methods. Batch limits differ per bus (the embedded bus's max batch size,
 * nsqd's max body size with MPUB framing) and stay with each bus.
 *
 * <p>Threading: stateless; the checks never block, {@link #await(CompletableFuture)} blocks.
 */
public final class PublishChecks {
    private PublishChecks() {}

    /**
     * Checks a batch of {@code bodies} for {@code topic}: a valid topic name, at least one body, each
     * non-empty and at most {@code maxMessageSize} bytes.
     *
     * @return the total size of the bodies in bytes
     * @throws PublishRejectedException when a body is empty or too large
     */
    public static long bodies(String topic, List<byte[]> bodies, int maxMessageSize) {
        Names.checkTopic(topic);
        Objects.requireNonNull(bodies, "bodies");
        if (bodies.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one message");
        }
        long total = 0;
        for (byte[] body : bodies) {
            Objects.requireNonNull(body, "body");
            if (body.length == 0) {
                throw new PublishRejectedException("message body is empty; NSQ carries no empty messages");
            }
            if (body.length > maxMessageSize) {
                throw new PublishRejectedException(
                        "message of " + body.length + " bytes exceeds maxMessageSize " + maxMessageSize);
            }
            total += body.length;
        }
        return total;
    }

    /** Checks a defer delay: the delay in milliseconds, which is not negative. */
    public static long deferMillis(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("defer delay must not be negative: " + delay);
        }
        return delay.toMillis();
    }

    /**
     * Waits for a publish: returns when it is stored, throws its failure (unwrapped, a checked one
     * wrapped in a {@link FerryException}), or a {@link FerryException} when interrupted (the
     * interrupt flag set again).
     */
    public static void await(CompletableFuture<Void> future) {
        try {
            future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new FerryException("publish failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while publishing", e);
        }
    }
}
