package dev.ferry.async.internal;

import dev.ferry.async.AsyncGroupDefinition;
import dev.ferry.async.AsyncGroupStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named group of worker threads sharing one bounded queue of jobs. A full queue blocks {@link
 * #submit} until there is room, or, in a {@code nonblock} group, rejects the job at once (counted).
 * Each worker pauses {@code usleep} microseconds before taking each job, as Kamailio's do.
 *
 * <p>Threads: {@code workers} platform threads named {@code ferry-async-GROUP-N}; {@link #submit}
 * may be called from any thread. A job that throws fails its future and is logged; the worker goes
 * on.
 */
public final class WorkerGroup {
    private static final Logger log = LoggerFactory.getLogger(WorkerGroup.class);

    private final AsyncGroupDefinition definition;
    private final int capacity;
    private final ArrayBlockingQueue<Job> queue;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean closed;

    /** Starts the group's workers, with a queue of {@code capacity} jobs. */
    public WorkerGroup(AsyncGroupDefinition definition, int capacity) {
        this.definition = definition;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        for (int i = 0; i < definition.workers(); i++) {
            Thread t = new Thread(this::work, "ferry-async-" + definition.name() + "-" + (i + 1));
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** The group's name. */
    public String name() {
        return definition.name();
    }

    /**
     * Queues {@code job}; blocks while the queue is full unless the group is {@code nonblock}.
     *
     * @throws RejectedExecutionException when a nonblock group is full, the group is closed, or the
     *     caller is interrupted while waiting for room
     */
    public void submit(Job job) {
        if (closed) {
            throw new RejectedExecutionException("async group \"" + name() + "\" is closed");
        }
        if (definition.nonblock()) {
            if (!queue.offer(job)) {
                rejected.incrementAndGet();
                throw new RejectedExecutionException("async group \"" + name() + "\" is full (" + capacity
                        + " tasks queued, nonblock=1): " + job.description() + " rejected");
            }
        } else {
            try {
                queue.put(job);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException(
                        "interrupted while waiting for room in async group \"" + name() + "\"", e);
            }
        }
        if (closed && queue.remove(job)) {
            job.cancel("async group \"" + name() + "\" closed");
        }
    }

    private void work() {
        long pauseNanos = definition.pause().toNanos();
        while (!closed) {
            if (pauseNanos > 0) {
                LockSupport.parkNanos(pauseNanos);
            }
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                continue; // close() interrupts; the loop condition decides
            }
            if (job.run()) {
                completed.incrementAndGet();
            } else {
                failed.incrementAndGet();
                job.future().exceptionally(e -> {
                    log.warn("async {} failed in group {}", job.description(), name(), e);
                    return null;
                });
            }
        }
    }

    /** A snapshot of the queue and counters. */
    public AsyncGroupStats stats() {
        return new AsyncGroupStats(
                name(), threads.size(), queue.size(), capacity, completed.get(), failed.get(), rejected.get());
    }

    /**
     * Stops the workers: queued jobs are cancelled, running ones may finish within {@code wait}.
     * Returns whether every worker ended in time.
     */
    public boolean close(long waitMillis) throws InterruptedException {
        closed = true;
        threads.forEach(Thread::interrupt);
        List<Job> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(j -> j.cancel("async group \"" + name() + "\" closed"));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        boolean all = true;
        for (Thread t : threads) {
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            t.join(Math.max(1, remaining));
            all &= !t.isAlive();
        }
        return all;
    }
}
