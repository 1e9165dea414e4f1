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

    /** Takes batches until the queue is empty, the maximum is reached or the consumer stops. */
    private void drain() {
        while (!stopped.get()) {
            int n = max > 0 ? (int) Math.min(BATCH, max - taken) : BATCH;
            List<String> pairs = remove ? take(n) : read(n);
            if (pairs.isEmpty()) {
                return;
            }
            for (int i = 0; i + 1 < pairs.size(); i += 2) {
                taken++;
                sink.message(Long.parseLong(pairs.get(i)), pairs.get(i + 1));
                if (max > 0 && taken == max) {
                    stop();
                    sink.done();
                    return;
                }
            }
        }
    }

    private List<String> take(int n) {
        return instance.call(r -> BusmqScript.TAKE.run(
                r,
                new String[] {keys.messages(), keys.toack()},
                String.valueOf(ttlSeconds.getAsLong()),
                String.valueOf(n),
                reliable ? "1" : "0"));
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
