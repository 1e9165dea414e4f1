package dev.ferry.server;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Prints a line such as {@code produce: 12,000 messages, 1,000.0/s over the last 5.0 s} on standard
 * error at a fixed interval, for commands that run long. Reads the total from the command's own
 * counter on a daemon thread of its own; prints nothing when the interval is zero. Thread-safe.
 */
final class RateReporter implements AutoCloseable {
    private final String name;
    private final LongSupplier total;
    private final PrintWriter err;
    private final ScheduledExecutorService timer;
    private long lastTotal;
    private long lastNanos = System.nanoTime();

    RateReporter(String name, LongSupplier total, Duration interval, PrintWriter err) {
        this.name = name;
        this.total = total;
        this.err = err;
        if (interval.isZero()) {
            timer = null;
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-" + name + "-rate");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, interval.toMillis());
        timer.scheduleAtFixedRate(this::report, millis, millis, TimeUnit.MILLISECONDS);
    }

    private synchronized void report() {
        long now = System.nanoTime();
        long count = total.getAsLong();
        double seconds = (now - lastNanos) / 1e9;
        err.println(String.format(
                Locale.ROOT,
                "%s: %,d messages, %,.1f/s over the last %.1f s",
                name,
                count,
                (count - lastTotal) / seconds,
                seconds));
        err.flush();
        lastTotal = count;
        lastNanos = now;
    }

    /** The rate of {@code count} messages over {@code nanos}, for a command's closing line. */
    static String rate(long count, long nanos) {
        double seconds = Math.max(nanos, 1) / 1e9;
        return String.format(Locale.ROOT, "%,d messages in %.1f s, %,.1f/s", count, seconds, count / seconds);
    }

    /** Stops reporting. */
    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
