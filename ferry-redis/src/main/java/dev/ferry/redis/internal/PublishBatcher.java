package dev.ferry.redis.internal;

import dev.ferry.spi.PublishRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The publishes of one topic on their way to Redis, with at most {@link #MAX_OUT} publish scripts
 * out at a time. A publish that arrives while that many are out waits, and goes with every other
 * publish that arrived meanwhile in one script call (up to {@link #MAX_MESSAGES} messages and {@link
 * #MAX_BYTES} of bodies), in the order they arrived: many connections publishing to one topic (PUBs
 * of one message, say) cost Redis one script call per gathered group instead of one per publish. A
 * publish that finds fewer calls out is sent at once, so a lone publisher waits for nothing.
 *
 * <p>A gathered call is one atomic script: either every publish in it is stored or none is, and
 * each publish's stage completes with the call's outcome. Calls reach Redis in the order they are
 * sent (one connection), so ids follow arrival order.
 *
 * <p>Thread-safe; never blocks. Stages complete on the thread that completes the call (a Lettuce
 * I/O thread).
 */
final class PublishBatcher {
    /** Calls out at once: two keep Redis busy while the answer to the other one travels back. */
    static final int MAX_OUT = 2;
    /** The most messages one gathered call carries (a single larger publish still goes whole). */
    static final int MAX_MESSAGES = 5_000;
    /**
     * The most body bytes one gathered call carries (a single larger publish still goes whole): keeps
     * a call well below what Redis accepts in one request.
     */
    static final long MAX_BYTES = 4L << 20;

    /** One publish waiting to be sent, with the size of its bodies. */
    private record Pending(List<PublishRecord> batch, long bytes, CompletableFuture<Void> done) {}

    private final Function<List<PublishRecord>, CompletableFuture<Void>> store;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int out;

    /**
     * @param store sends one call with the given messages, in order, and completes when Redis stored
     *     them (or failed)
     */
    PublishBatcher(Function<List<PublishRecord>, CompletableFuture<Void>> store) {
        this.store = store;
    }

    /** Queues {@code batch}; the stage completes once it is stored, or fails with the call it went in. */
    CompletableFuture<Void> submit(List<PublishRecord> batch) {
        long bytes = 0;
        for (PublishRecord r : batch) {
            bytes += r.body().length;
        }
        Pending pending = new Pending(batch, bytes, new CompletableFuture<>());
        List<Pending> now = null;
        synchronized (this) {
            queue.add(pending);
            if (out < MAX_OUT) {
                now = take();
            }
        }
        if (now != null) {
            send(now);
        }
        return pending.done();
    }

    /** Nothing queued and nothing out. */
    synchronized boolean idle() {
        return out == 0 && queue.isEmpty();
    }

    /** Takes the publishes of the next call off the queue; holds the lock. */
    private List<Pending> take() {
        List<Pending> group = new ArrayList<>();
        int messages = 0;
        long bytes = 0;
        while (!queue.isEmpty()
                && (group.isEmpty()
                        || (messages + queue.peek().batch().size() <= MAX_MESSAGES
                                && bytes + queue.peek().bytes() <= MAX_BYTES))) {
            Pending p = queue.poll();
            group.add(p);
            messages += p.batch().size();
            bytes += p.bytes();
        }
        out++;
        return group;
    }

    private void send(List<Pending> group) {
        List<PublishRecord> records;
        if (group.size() == 1) {
            records = group.get(0).batch();
        } else {
            records = new ArrayList<>();
            for (Pending p : group) {
                records.addAll(p.batch());
            }
        }
        CompletableFuture<Void> stored;
        try {
            stored = store.apply(records);
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        stored.whenComplete((ok, failure) -> {
            List<Pending> next = null;
            synchronized (this) {
                out--;
                if (!queue.isEmpty()) {
                    next = take();
                }
            }
            for (Pending p : group) {
                if (failure != null) {
                    p.done().completeExceptionally(failure);
                } else {
                    p.done().complete(null);
                }
            }
            if (next != null) {
                send(next);
            }
        });
    }
}
