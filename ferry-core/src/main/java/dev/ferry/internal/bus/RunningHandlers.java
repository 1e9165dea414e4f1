package dev.ferry.internal.bus;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * Counts a subscription's handler calls in progress so that closing can wait for them, up to its
 * close timeout.
 *
 * <p>Threading: {@link #enter()} and {@link #exit(boolean)} are called by handler threads and never
 * block; {@link #awaitOthers(int, Duration)} blocks the closing thread.
 */
public final class RunningHandlers {
    private final Logger log;
    private final String topic;
    private final String channel;
    private final AtomicInteger running = new AtomicInteger();

    /** Counts for the subscription to {@code topic}/{@code channel}, warning on {@code log}. */
    public RunningHandlers(Logger log, String topic, String channel) {
        this.log = log;
        this.topic = topic;
        this.channel = channel;
    }

    /** A handler call starts. */
    public void enter() {
        running.incrementAndGet();
    }

    /**
     * A handler call is over.
     *
     * @param closing whether the subscription is closing, so that a waiting close is woken
     */
    public void exit(boolean closing) {
        if (running.decrementAndGet() <= 1 && closing) {
            synchronized (running) {
                running.notifyAll();
            }
        }
    }

    /**
     * Waits until at most {@code self} handler calls run (1 when the caller is itself a handler of the
     * subscription), or {@code timeout} passes, or the thread is interrupted (its interrupt flag is
     * set again). A timeout is logged as a warning: the calls still running lose their messages to
     * the requeue that follows.
     */
    public void awaitOthers(int self, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (running) {
            while (running.get() > self) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn(
                            "topic {} channel {}: {} handlers still running after the close timeout of {} ms;"
                                    + " requeueing their messages",
                            topic,
                            channel,
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
