package dev.ferry.support;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A subscription's delivered messages that still hold an in-flight slot, and their count. The count
 * is reserved before the messages are tracked, so that it never understates what was handed out.
 * Messages are found by a key of the owner's choice (the engine's lease, so that an expiry the
 * engine reports finds its message), by default the message itself.
 *
 * <p>Threading: thread-safe and non-blocking; messages are added by the delivering thread and
 * released from any thread.
 *
 * @param <M> the subscription's message type
 */
public final class InFlightMessages<M extends AbstractDeliveredMessage<M>> implements Iterable<M> {
    private final ConcurrentHashMap<Object, M> outstanding = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final Function<M, Object> keyOf;

    /** Messages keyed by themselves. */
    public InFlightMessages() {
        this(m -> m);
    }

    /** Messages keyed by {@code keyOf}, which must give each tracked message a distinct key. */
    public InFlightMessages(Function<M, Object> keyOf) {
        this.keyOf = keyOf;
    }

    /** Takes {@code slots} in-flight slots for messages about to be {@link #track tracked}. */
    public void reserve(int slots) {
        count.addAndGet(slots);
    }

    /** Tracks a message whose slot was {@link #reserve reserved}. */
    public void track(M message) {
        outstanding.put(keyOf.apply(message), message);
    }

    /** Gives back {@code slots} reserved slots that no message took. */
    public void unreserve(int slots) {
        count.addAndGet(-slots);
    }

    /** The tracked message with {@code key}, or null. */
    public M get(Object key) {
        return outstanding.get(key);
    }

    /** Frees the slot of {@code message}; true the first time only. */
    public boolean release(M message) {
        if (outstanding.remove(keyOf.apply(message), message)) {
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
        for (M message : outstanding.values()) {
            if (message.armed()) {
                message.expireIfDue(nowMillis);
            }
        }
    }

    /** Requeues every unanswered message on close, except {@code current} (answered by its own handler). */
    public void requeueOnClose(AbstractDeliveredMessage<?> current) {
        for (M message : outstanding.values()) {
            if (message != current) {
                message.requeueOnClose();
            }
        }
    }

    /** A weakly consistent view of the tracked messages. */
    @Override
    public Iterator<M> iterator() {
        return outstanding.values().iterator();
    }
}
