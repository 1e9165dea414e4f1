package dev.ferry.redis.internal;

import dev.ferry.spi.BusmqQueues;
import dev.ferry.support.Timers;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * One consumption of a queue in busmq's layout. Like node busmq it subscribes to the queue's
 * {@code :available} channel and drains the queue on the subscription's acknowledgement and on
 * every notification; unlike it, each round trip takes up to {@value #BATCH} messages (one script,
 * {@link BusmqScript#TAKE}) instead of one, which is what lets a queue move many times faster. A
 * consumer that does not remove reads pairs by index ({@code LRANGE}), as busmq's {@code index}.
 *
 * <p>Threads: pub/sub callbacks (Lettuce I/O threads) only set a flag and start the drain thread
 * (a virtual thread, one at a time), which takes batches and hands each message to the sink in
 * order. A failure to take is told to the sink and retried after {@value #RETRY_MILLIS} ms.
 *
 * <p>Delivery: taking removes the messages before the sink sees them (at most once, as busmq); a
 * batch already taken when {@link #stop()} is called is still delivered. In reliable mode the
 * taken pairs also go to {@code :toack} in the same step, so none is lost before it is acknowledged.
 */
final class BusmqConsumer implements BusmqQueues.Consumption {
    /** The most pairs one round trip takes. */
    static final int BATCH = 500;

    private static final long RETRY_MILLIS = 1000;

    private final BusmqInstance instance;
    private final BusmqKeys keys;
    private final LongSupplier ttlSeconds;
    private final boolean remove;
    private final long max;
    private final boolean reliable;
    private final BusmqQueues.Sink sink;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean wanted = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile StatefulRedisPubSubConnection<String, String> subscription;
    private long taken;
    private long index;

    private BusmqConsumer(
            BusmqInstance instance,
            BusmqKeys keys,
            LongSupplier ttlSeconds,
            boolean remove,
            long max,
            boolean reliable,
            BusmqQueues.Sink sink) {
        this.instance = instance;
        this.keys = keys;
        this.ttlSeconds = ttlSeconds;
        this.remove = remove;
        this.max = max;
        this.reliable = reliable;
        this.sink = sink;
    }

    /**
     * Starts: in reliable mode first drops what is acknowledged up to {@code lastAcked} and puts the
     * rest back at the head of the queue; then subscribes (blocking until Redis confirmed), which
     * starts the first drain.
     */
    static BusmqConsumer start(
            BusmqInstance instance,
            BusmqKeys keys,
            LongSupplier ttlSeconds,
            boolean remove,
            long max,
            boolean reliable,
            long lastAcked,
            BusmqQueues.Sink sink) {
        BusmqConsumer c = new BusmqConsumer(instance, keys, ttlSeconds, remove, max, reliable, sink);
        if (reliable) {
            instance.call(r -> BusmqScript.ACK.run(
                    r,
                    new String[] {keys.toack(), keys.messages()},
                    String.valueOf(lastAcked),
                    String.valueOf(ttlSeconds.getAsLong()),
                    "1"));
        }
        StatefulRedisPubSubConnection<String, String> sub = instance.pubSub();
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void subscribed(String channel, long count) {
                c.wake();
            }

            @Override
            public void message(String channel, String message) {
                c.wake();
            }
        });
        c.subscription = sub;
        try {
            instance.call(r -> {
                sub.sync().subscribe(keys.available());
                return null;
            });
        } catch (RuntimeException e) {
            sub.close();
            throw e;
        }
        c.wake(); // the confirmation may have come before the listener saw it
        return c;
    }

    private void wake() {
        if (stopped.get()) {
            return;
        }
        wanted.set(true);
        if (draining.compareAndSet(false, true)) {
            Thread.ofVirtual().name("ferry-busmq-drain").start(this::drainLoop);
        }
    }

    private void drainLoop() {
        while (true) {
            while (wanted.getAndSet(false) && !stopped.get()) {
                try {
                    drain();
                } catch (RuntimeException e) {
                    sink.error(e);
                    Timers.schedule(Duration.ofMillis(RETRY_MILLIS), this::wake);
                    break;
                }
            }
            draining.set(false);
            // a wake-up that came after the loop ended and before the flag was cleared
            if (!wanted.get() || stopped.get() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /**
     * Takes batches until the queue is empty, the maximum is reached or the consumer stops. While
     * the listener works through one full batch, the take of the next one is already on its way
     * (removing consumers only), so Redis and the listener work at the same time.
     */
    private void drain() {
        java.util.concurrent.CompletableFuture<List<String>> next = null;
        try {
            while (!stopped.get()) {
                int n = batchSize();
                List<String> pairs;
                if (next != null) {
                    pairs = await(next);
                    next = null;
                } else {
                    pairs = remove ? await(takeAsync(n)) : read(n);
                }
                if (pairs.isEmpty()) {
                    return;
                }
                long after = taken + pairs.size() / 2;
                if (remove && pairs.size() / 2 == n && (max == 0 || after < max)) {
                    next = takeAsync((int) (max > 0 ? Math.min(BATCH, max - after) : BATCH));
                }
                if (deliver(pairs)) {
                    return;
                }
            }
        } finally {
            if (next != null) {
                // stopped while a batch was on its way: it is out of the queue, so it is still delivered
                deliver(await(next));
            }
        }
    }

    private int batchSize() {
        return max > 0 ? (int) Math.min(BATCH, max - taken) : BATCH;
    }

    /** Hands the pairs to the sink; true when that reached the maximum. */
    private boolean deliver(List<String> pairs) {
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            taken++;
            sink.message(Long.parseLong(pairs.get(i)), pairs.get(i + 1));
            if (max > 0 && taken == max) {
                stop();
                sink.done();
                return true;
            }
        }
        return false;
    }

    private List<String> await(java.util.concurrent.CompletableFuture<List<String>> take) {
        try {
            return take.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw instance.translate(e.getCause());
        }
    }

    private java.util.concurrent.CompletableFuture<List<String>> takeAsync(int n) {
        return BusmqScript.TAKE.runAsync(
                instance.async(),
                new String[] {keys.messages(), keys.toack()},
                String.valueOf(ttlSeconds.getAsLong()),
                String.valueOf(n),
                reliable ? "1" : "0");
    }

    private List<String> read(int n) {
        List<String> pairs = instance.call(r -> r.lrange(keys.messages(), 2 * index, 2 * (index + n) - 1));
        index += pairs.size() / 2;
        return pairs;
    }

    @Override
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        StatefulRedisPubSubConnection<String, String> sub = subscription;
        if (sub != null) {
            sub.closeAsync();
        }
    }

    @Override
    public boolean stopped() {
        return stopped.get();
    }
}
