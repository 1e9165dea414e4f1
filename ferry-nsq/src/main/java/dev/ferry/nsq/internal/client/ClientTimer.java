package dev.ferry.nsq.internal.client;

import dev.ferry.support.Timers;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client bus's timed work (reconnects, lookupd polls, RDY redistribution, backoff ends, message
 * timeouts, queue attachment renewals) on the process's one timer, {@link Timers}: the timer only
 * keeps time and hands each task to one of the bus's event loops, where the connections' state
 * changes too, or, for a task that blocks on the network, to a virtual thread of its own. So a
 * client bus starts no timer thread.
 *
 * <p>After {@link #close()} the bus's periodic tasks are cancelled and a one-shot task that comes
 * due does nothing. Thread-safe.
 */
final class ClientTimer {
    private static final Logger log = LoggerFactory.getLogger(ClientTimer.class);

    private final EventLoopGroup loops;
    private final Executor onLoop;
    private final Executor blocking;
    private final Set<ScheduledFuture<?>> periodic = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ClientTimer(EventLoopGroup loops) {
        this.loops = loops;
        this.onLoop = task -> loops.next().execute(task);
        this.blocking = task -> Thread.ofVirtual().name("ferry-client-blocking").start(task);
    }

    /** Runs {@code task} once on an event loop after {@code delay}, unless the bus has closed. */
    ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        return Timers.schedule(delay, () -> {
            if (!closed) {
                hand(onLoop, task);
            }
        });
    }

    /** Runs {@code task} on an event loop every {@code period} until cancelled or the bus closes. */
    ScheduledFuture<?> every(Duration period, Runnable task) {
        return track(Timers.every(period, guarded(onLoop), guardedTask(task)));
    }

    /**
     * Runs {@code task}, which may block on the network, on a virtual thread every {@code period};
     * a beat is skipped while the previous run has not finished.
     */
    ScheduledFuture<?> everyBlocking(Duration period, Runnable task) {
        return track(Timers.every(period, guarded(blocking), guardedTask(task)));
    }

    private ScheduledFuture<?> track(ScheduledFuture<?> future) {
        periodic.add(future);
        if (closed) {
            future.cancel(false);
        }
        return future;
    }

    /** Cancels the periodic tasks; one-shot tasks that come due later do nothing. */
    void close() {
        closed = true;
        periodic.forEach(f -> f.cancel(false));
        periodic.clear();
    }

    private Executor guarded(Executor executor) {
        return task -> {
            if (closed || loops.isShuttingDown()) {
                throw new RejectedExecutionException("the bus is closed");
            }
            executor.execute(task);
        };
    }

    private void hand(Executor executor, Runnable task) {
        try {
            executor.execute(guardedTask(task));
        } catch (RejectedExecutionException e) {
            // the bus closed between the check and the hand-over: nothing left to do
        }
    }

    private Runnable guardedTask(Runnable task) {
        return () -> {
            if (closed) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("the client's timed task failed", e);
            }
        };
    }
}
