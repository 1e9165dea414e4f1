package dev.ferry.async.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The timer of delayed routes and sleeps: one thread that wakes every {@code tick} (Kamailio's
 * {@code ms_timer} resolution) and hands every entry whose due time has come to its consumer, in due
 * order, never before. Due times are read from the injected clock (to its full precision), so a test moves time by hand while the ticks
 * keep running on the real clock; an entry runs at the first tick at or after its due time, so it is
 * late by less than one tick plus the hand-off.
 *
 * <p>Entries are kept in a heap ordered by due time (O(log n) to add, no allocation per tick when
 * nothing is due); one timer thread serves them all, however many are pending.
 *
 * <p>Thread-safe: {@link #schedule} may be called from any thread. The consumer runs on the timer
 * thread and may block it (a full worker group), which delays later entries.
 */
public final class TickTimer implements AutoCloseable {
    private record Entry(long due, long seq, Job job, Consumer<Job> target) {}

    private final Clock clock;
    private final long tickNanos;
    private final PriorityQueue<Entry> heap =
            new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private final AtomicLong ticks = new AtomicLong();
    private final Thread thread;
    private long seq;
    private volatile boolean closed;

    /** Starts the timer thread, ticking every {@code tickMillis} of real time, due times read from {@code clock}. */
    public TickTimer(Clock clock, long tickMillis) {
        this.clock = clock;
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMillis);
        this.thread = new Thread(this::run, "ferry-async-timer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Hands {@code job} to {@code target} at the first tick at or after {@code delayMillis} from now. */
    public void schedule(long delayMillis, Job job, Consumer<Job> target) {
        long due = nowNanos() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        synchronized (heap) {
            if (closed) {
                job.cancel("the async timer is closed");
                return;
            }
            heap.add(new Entry(due, seq++, job, target));
        }
    }

    /** Entries not yet due. */
    public int pending() {
        synchronized (heap) {
            return heap.size();
        }
    }

    /** Ticks done so far; tests wait for a few to know the timer has looked at the clock. */
    public long ticks() {
        return ticks.get();
    }

    private void run() {
        long next = System.nanoTime() + tickNanos;
        List<Entry> due = new ArrayList<>();
        while (!closed) {
            // ticks on a fixed schedule: a slow tick does not push the later ones back
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue; // woken early (or spuriously): wait for the rest
            }
            next += tickNanos;
            if (next - System.nanoTime() < 0) {
                next = System.nanoTime() + tickNanos; // fell behind by a whole tick: do not burst
            }
            long now = nowNanos();
            synchronized (heap) {
                while (!heap.isEmpty() && heap.peek().due <= now) {
                    due.add(heap.poll());
                }
            }
            for (Entry e : due) {
                try {
                    e.target.accept(e.job);
                } catch (RuntimeException ex) {
                    e.job.future().completeExceptionally(ex);
                }
            }
            due.clear();
            ticks.incrementAndGet();
        }
    }

    /**
     * The clock's time in nanoseconds since the epoch: the system clock has microseconds, so a due
     * time measured in milliseconds could pass up to 1 ms early.
     */
    private long nowNanos() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Stops the timer; pending entries are cancelled. Waits for the timer thread to end. */
    @Override
    public void close() {
        List<Entry> left;
        synchronized (heap) {
            closed = true;
            left = new ArrayList<>(heap);
            heap.clear();
        }
        LockSupport.unpark(thread);
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        left.forEach(e -> e.job.cancel("the async timer closed"));
    }
}
