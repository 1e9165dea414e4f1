package dev.ferry.redis.internal;

import static dev.ferry.redis.internal.Replies.arg;

import dev.ferry.spi.Lease;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The answers (FIN, REQ, TOUCH) to the leases of one channel, sent to Redis in batches: while one
 * answer script is out, the answers that arrive queue up and go in the next call, as many as {@link
 * #MAX_BATCH}, each run of the same kind in one call. Answers reach Redis in the order they were
 * given. Thread-safe; never blocks.
 */
final class AnswerBatcher {
    static final int MAX_BATCH = 1000;

    /** One answer waiting to be sent. */
    private record Pending(String op, Lease lease, long millis, CompletableFuture<Boolean> done) {}

    private final RedisNode node;
    private final String topic;
    private final String channel;
    private final Clock clock;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();

    AnswerBatcher(RedisNode node, String topic, String channel, Clock clock) {
        this.node = node;
        this.topic = topic;
        this.channel = channel;
        this.clock = clock;
    }

    /** Queues an answer; the future completes with the script's verdict for it (false: stale). */
    CompletableFuture<Boolean> submit(String op, Lease lease, long millis) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        queue.add(new Pending(op, lease, millis, done));
        drain();
        return done;
    }

    /** Nothing queued and nothing out. */
    boolean idle() {
        return queue.isEmpty() && !sending.get();
    }

    private void drain() {
        while (!queue.isEmpty() && sending.compareAndSet(false, true)) {
            List<Pending> batch = new ArrayList<>();
            Pending first = queue.peek();
            while (batch.size() < MAX_BATCH) {
                Pending p = queue.peek();
                if (p == null || !p.op().equals(first.op())) {
                    break;
                }
                batch.add(queue.poll());
            }
            if (batch.isEmpty()) {
                sending.set(false);
                continue;
            }
            send(batch);
            return;
        }
    }

    private void send(List<Pending> batch) {
        byte[][] args = new byte[4 + 3 * batch.size()][];
        args[0] = arg(topic);
        args[1] = arg(channel);
        args[2] = arg(batch.get(0).op());
        args[3] = arg(clock.millis());
        int i = 4;
        for (Pending p : batch) {
            args[i++] = arg((Long) p.lease().handle());
            args[i++] = arg(p.lease().attempts());
            args[i++] = arg(p.millis());
        }
        node.run(Script.ANSWER, topic, args).whenComplete((reply, failure) -> {
            sending.set(false);
            for (int k = 0; k < batch.size(); k++) {
                if (failure != null) {
                    batch.get(k).done().completeExceptionally(failure);
                } else {
                    batch.get(k).done().complete(Replies.number(reply, k) == 1);
                }
            }
            drain();
        });
    }
}
