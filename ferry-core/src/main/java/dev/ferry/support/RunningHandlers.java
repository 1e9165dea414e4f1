package dev.ferry.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Runs a subscription's handler calls and counts those in progress, so that closing can wait for
 * them up to its close timeout; also knows which message the calling thread is handling, so that a
 * handler closing its own subscription waits for the others only.
 *
 * <p>Threading: {@link #run} is called by handler threads and blocks only as long as the handler
 * does; {@link #awaitOthers(Duration)} blocks the closing thread.
 */
public final class RunningHandlers {
    /** The message whose handler the current thread is running, if any. */
    private static final ThreadLocal<AbstractDeliveredMessage<?>> HANDLING = new ThreadLocal<>();

    private final DeliveryOwner<?> owner;
    private final BooleanSupplier closing;
    private final AtomicInteger running = new AtomicInteger();

    /**
     * @param owner the subscription whose handlers run here
     * @param closing whether the subscription is closing: then no new handler call starts, and the
     *     end of one wakes a waiting close
     */
    public RunningHandlers(DeliveryOwner<?> owner, BooleanSupplier closing) {
        this.owner = owner;
        this.closing = closing;
    }

    /**
     * Runs {@code handler} on {@code message} on the calling thread ({@link
     * AbstractDeliveredMessage#deliverTo}), unless the subscription is closing (its close requeues
     * the message).
     */
    public <M extends AbstractDeliveredMessage<M>> void run(M message, DeliveryHandler handler) {
        if (closing.getAsBoolean()) {
            return;
        }
        running.incrementAndGet();
        AbstractDeliveredMessage<?> outer = HANDLING.get();
        HANDLING.set(message);
        try {
            message.deliverTo(handler);
        } finally {
            if (outer == null) {
                HANDLING.remove();
            } else {
                HANDLING.set(outer);
            }
            if (running.decrementAndGet() <= 1 && closing.getAsBoolean()) {
                synchronized (running) {
                    running.notifyAll();
                }
            }
        }
    }

    /** The message of this subscription whose handler the calling thread runs, or null. */
    public AbstractDeliveredMessage<?> current() {
        AbstractDeliveredMessage<?> current = HANDLING.get();
        return current != null && current.deliveredTo() == owner ? current : null;
    }

    /**
     * Waits until no other handler call of the subscription runs (the caller's own, when it is one,
     * does not count), or {@code timeout} passes, or the thread is interrupted (its interrupt flag
     * is set again). A timeout is logged as a warning: the calls still running lose their messages
     * to the requeue that follows.
     */
    public void awaitOthers(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int self = current() != null ? 1 : 0;
        synchronized (running) {
            while (running.get() > self) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    owner.log()
                            .warn(
                                    "topic {} channel {}: {} handlers still running after the close timeout of {}"
                                            + " ms; requeueing their messages",
                                    owner.topic(),
                                    owner.channel(),
                                    running.get() - self,
                                    timeout.toMillis());
                    return;
                }
                try {
                    running.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
