package dev.ferry.support;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one timer of the process for Ferry's timed work: the embedded engine's ticks (timeouts,
 * deferrals coming due, housekeeping), the bus's retries and the query timeouts. One daemon thread,
 * started at first use, that only keeps time: work longer than a few microseconds is handed to the
 * executor its owner names ({@link #every(Duration, Executor, Runnable)}), so a slow task never
 * delays another's deadline. A V2 connection's heartbeats are the one exception: they run on the
 * connection's own event loop (Netty's schedule), where the connection's state lives.
 *
 * <p>Thread-safe. A task that throws is logged and, when periodic, keeps running. Cancelling the
 * returned future removes the task.
 */
public final class Timers {
    private static final Logger log = LoggerFactory.getLogger(Timers.class);
    private static final ScheduledThreadPoolExecutor TIMER = start();

    private Timers() {}

    private static ScheduledThreadPoolExecutor start() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("ferry-timer-"));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Runs {@code task} on the timer thread once, after {@code delay}; it must be short. */
    public static ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        return TIMER.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs {@code task} on the timer thread every {@code period} (fixed delay); it must be short. */
    public static ScheduledFuture<?> every(Duration period, Runnable task) {
        long nanos = period.toNanos();
        return TIMER.scheduleWithFixedDelay(guarded(task), nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Runs {@code task} on {@code executor} every {@code period}: the timer hands it over and skips a
     * beat while the previous run has not finished, so runs never pile up behind a slow one.
     */
    public static ScheduledFuture<?> every(Duration period, Executor executor, Runnable task) {
        AtomicBoolean pending = new AtomicBoolean();
        Runnable run = guarded(() -> {
            try {
                task.run();
            } finally {
                pending.set(false);
            }
        });
        return every(period, () -> {
            if (pending.compareAndSet(false, true)) {
                try {
                    executor.execute(run);
                } catch (RuntimeException e) {
                    pending.set(false); // the executor is shut down or full: try again next beat
                }
            }
        });
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("timed task failed", e);
            }
        };
    }
}
