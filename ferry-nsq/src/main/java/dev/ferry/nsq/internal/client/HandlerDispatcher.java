package dev.ferry.nsq.internal.client;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs a subscription's messages on the bus's handler executor through at most a fixed number of
 * workers, each taking messages from one queue until it is empty (or a turn is over, so that other
 * subscriptions get the threads too). One executor task per run of messages, not per message: at
 * hundreds of thousands of messages a second the hand-off per task is what would cost.
 *
 * <p>Thread-safe: {@link #submit} is called on event loops.
 */
final class HandlerDispatcher<T> {
    private static final int TURN = 1024;

    private final Executor executor;
    private final int maxWorkers;
    private final Consumer<T> work;
    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger workers = new AtomicInteger();

    HandlerDispatcher(Executor executor, int maxWorkers, Consumer<T> work) {
        this.executor = executor;
        this.maxWorkers = maxWorkers;
        this.work = work;
    }

    void submit(T item) {
        queue.add(item);
        startWorker();
    }

    private void startWorker() {
        for (; ; ) {
            int w = workers.get();
            if (w >= maxWorkers) {
                return;
            }
            if (workers.compareAndSet(w, w + 1)) {
                try {
                    executor.execute(this::run);
                } catch (RejectedExecutionException e) {
                    workers.decrementAndGet();
                }
                return;
            }
        }
    }

    private void run() {
        try {
            T item;
            for (int i = 0; i < TURN && (item = queue.poll()) != null; i++) {
                work.accept(item);
            }
        } finally {
            workers.decrementAndGet();
            if (!queue.isEmpty()) {
                startWorker();
            }
        }
    }

    /** Takes every message not yet started (on close). */
    void drainTo(Consumer<T> sink) {
        for (T item; (item = queue.poll()) != null; ) {
            sink.accept(item);
        }
    }
}
