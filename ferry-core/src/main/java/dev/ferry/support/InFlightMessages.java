package dev.ferry.support;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscription's delivered messages that still hold an in-flight slot, and their count. The count
 * is reserved before the messages are tracked, so that it never understates what was handed out.
 *
 * <p>Threading: thread-safe and non-blocking; messages are added by the delivering thread and
 * released from any thread.
 *
 * @param <M> the subscription's message type
 */
public final class InFlightMessages<M extends AbstractDeliveredMessage<M>> implements Iterable<M> {
    private final Set<M> outstanding = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();

    /** Takes {@code slots} in-flight slots for messages about to be {@link #track tracked}. */
    public void reserve(int slots) {
        count.addAndGet(slots);
    }

    /** Tracks a message whose slot was {@link #reserve reserved}. */
    public void track(M message) {
        outstanding.add(message);
    }

    /** Frees the slot of {@code message}; true the first time only. */
    public boolean release(M message) {
        if (outstanding.remove(message)) {
            count.decrementAndGet();
            return true;
        }
        return false;
    }

    /** How many slots are taken. */
    public int count() {
        return count.get();
    }

    /** Frees the slots of armed messages past their deadline (see {@link AbstractDeliveredMessage#expireIfDue}). */
    public void sweepExpired(long nowMillis) {
        for (M message : outstanding) {
            if (message.armed()) {
                message.expireIfDue(nowMillis);
            }
        }
    }

    /** Requeues every unanswered message on close, except {@code current} (answered by its own handler). */
    public void requeueOnClose(AbstractDeliveredMessage<?> current) {
        for (M message : outstanding) {
            if (message != current) {
                message.requeueOnClose();
            }
        }
    }

    /** A weakly consistent view of the tracked messages. */
    @Override
    public Iterator<M> iterator() {
        return outstanding.iterator();
    }
}
