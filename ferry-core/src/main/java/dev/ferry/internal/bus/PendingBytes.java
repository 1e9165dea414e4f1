package dev.ferry.internal.bus;

import dev.ferry.PublishRejectedException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the body bytes of asynchronous publishes that are not yet durable. A caller over the
 * bound waits for room up to a timeout and then gets a {@link PublishRejectedException}; a single
 * publish larger than the whole bound is admitted alone. Thread-safe.
 */
final class PendingBytes {
    private final long max;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private long pending;
    private long waits;

    PendingBytes(long max, Duration timeout) {
        this.max = max;
        this.timeout = timeout;
    }

    /** Takes {@code bytes} of the bound, waiting for room. */
    void acquire(long bytes) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            boolean waited = false;
            while (pending > 0 && pending + bytes > max) {
                waited = true;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new PublishRejectedException("too many asynchronous publishes pending: "
                            + pending
                            + " bytes not yet durable + "
                            + bytes
                            + " new > maxPendingPublishBytes "
                            + max
                            + " for "
                            + timeout.toMillis()
                            + " ms; publish slower or raise the limit");
                }
                try {
                    room.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PublishRejectedException("interrupted while waiting to publish", e);
                }
            }
            if (waited) {
                waits++;
            }
            pending += bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Returns {@code bytes} to the bound. */
    void release(long bytes) {
        lock.lock();
        try {
            pending -= bytes;
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long pending() {
        lock.lock();
        try {
            return pending;
        } finally {
            lock.unlock();
        }
    }

    /** How many publishes had to wait for room. */
    long waits() {
        lock.lock();
        try {
            return waits;
        } finally {
            lock.unlock();
        }
    }
}
