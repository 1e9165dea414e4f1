package dev.ferry.bench;

import dev.ferry.async.Async;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * How late a millisecond route ({@link Async#route}) runs on the real clock: {@code ms_timer} 10, 10,000 other timers
 * pending (due in 29.9 s, after the run), then {@code samples} routes of 250 ms scheduled 2 ms apart.
 * A sample's lateness is when its route started minus (when it was scheduled + 250 ms). One worker,
 * so routes run in the order they were scheduled and the n-th run is the n-th sample. Not JMH: a
 * latency distribution, printed as p50 / p99 / max in ms.
 *
 * <pre>java -cp ferry-bench/target/benchmarks.jar dev.ferry.bench.AsyncTimerLateness [samples]</pre>
 */
public final class AsyncTimerLateness {
    private static final int PENDING = 10_000;
    private static final int DELAY_MS = 250;

    private AsyncTimerLateness() {}

    public static void main(String[] args) throws InterruptedException {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        long[] scheduled = new long[samples];
        long[] started = new long[samples];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(samples);
        int pendingAtEnd;
        try (Async async = Async.builder()
                .millisecondTimer(Duration.ofMillis(10))
                .workers(1)
                .route("IDLE", task -> {})
                .route("SAMPLE", task -> {
                    started[next.getAndIncrement()] = System.nanoTime();
                    done.countDown();
                })
                .start()) {
            for (int i = 0; i < PENDING; i++) {
                async.route("IDLE", Duration.ofMillis(29_900));
            }
            for (int i = 0; i < samples; i++) {
                scheduled[i] = System.nanoTime();
                async.route("SAMPLE", Duration.ofMillis(DELAY_MS));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(done.getCount() + " samples did not run");
            }
            pendingAtEnd = async.pendingTimers();
        }
        int warmUp = samples / 10; // the first ones include the JIT warming up
        long[] late = new long[samples - warmUp];
        for (int i = warmUp; i < samples; i++) {
            late[i - warmUp] = started[i] - scheduled[i] - TimeUnit.MILLISECONDS.toNanos(DELAY_MS);
        }
        Arrays.sort(late);
        System.out.printf(
                "route %d ms, ms_timer 10, %d other timers pending (%d at the end), %d samples after %d warm-up:%n"
                        + "  lateness p50 %.2f ms, p99 %.2f ms, max %.2f ms, min %.2f ms%n",
                DELAY_MS,
                PENDING,
                pendingAtEnd,
                late.length,
                warmUp,
                ms(late[late.length / 2]),
                ms(late[(int) Math.ceil(late.length * 0.99) - 1]),
                ms(late[late.length - 1]),
                ms(late[0]));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
