package dev.ferry.internal.busmq;

import dev.ferry.Bus;
import dev.ferry.Message;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One consumer of a queue's topic: a subscription with one message in flight, so messages come in
 * push order, that hands each body to {@code deliver} as a string.
 *
 * <ul>
 *   <li><b>At most once:</b> a message is finished as soon as it is received and queued for {@code
 *       deliver}, which a single drain thread (a virtual thread started when there is work) calls in
 *       receipt order. A {@code deliver} that throws loses that message; the error goes to {@code
 *       onError}.
 *   <li><b>At least once:</b> {@code deliver} runs inside the subscription's handler and the
 *       message is finished when it returns; when it throws, the message is requeued with the
 *       subscription's backoff.
 * </ul>
 *
 * <p>With a maximum, the consumer takes at most that many messages: the one that reaches it pauses
 * the subscription before it is finished, any message received past it is requeued at once, and
 * {@code onDone} runs (on another thread) once the last one was delivered.
 *
 * <p>Thread-safe. {@link #stop()} may be called from {@code deliver} itself.
 */
public final class QueueConsumer implements dev.ferry.spi.BusmqQueues.Consumption {
    private static final ThreadLocal<QueueConsumer> DELIVERING = new ThreadLocal<>();

    private final long max;
    private final boolean atLeastOnce;
    private final Consumer<String> deliver;
    private final Consumer<Throwable> onError;
    private final Runnable onDone;
    private final AtomicLong taken = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ConcurrentLinkedQueue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final CompletableFuture<Subscription> subscription = new CompletableFuture<>();

    private QueueConsumer(
            long max, boolean atLeastOnce, Consumer<String> deliver, Consumer<Throwable> onError, Runnable onDone) {
        this.max = max;
        this.atLeastOnce = atLeastOnce;
        this.deliver = deliver;
        this.onError = onError;
        this.onDone = onDone;
    }

    /**
     * Starts consuming {@code channel} of {@code topic}.
     *
     * @param max the most messages to take, or 0 for no limit
     */
    public static QueueConsumer start(
            Bus bus,
            String topic,
            String channel,
            long max,
            boolean atLeastOnce,
            Consumer<String> deliver,
            Consumer<Throwable> onError,
            Runnable onDone) {
        QueueConsumer c = new QueueConsumer(max, atLeastOnce, deliver, onError, onDone);
        SubscribeOptions options = SubscribeOptions.maxInFlight(1).withCloseTimeout(Duration.ofSeconds(2));
        try {
            c.subscription.complete(bus.subscribe(topic, channel, c::handle, options));
        } catch (RuntimeException e) {
            c.subscription.completeExceptionally(e);
            throw e;
        }
        return c;
    }

    private void handle(Message message) {
        if (stopped.get()) {
            message.requeue(Duration.ZERO);
            return;
        }
        long n = taken.incrementAndGet();
        if (max > 0 && n > max) {
            message.requeue(Duration.ZERO);
            return;
        }
        boolean last = max > 0 && n == max;
        String text = new String(message.body(), StandardCharsets.UTF_8);
        if (atLeastOnce) {
            DELIVERING.set(this);
            try {
                deliver.accept(text);
            } catch (RuntimeException e) {
                taken.decrementAndGet();
                throw e;
            } finally {
                DELIVERING.remove();
            }
            if (last) {
                finishAfterLast();
            }
            return;
        }
        pending.add(text);
        if (last) {
            // paused before this message is finished, so no further one is handed out
            subscription.thenAccept(Subscription::pause);
        }
        drain();
    }

    private void drain() {
        if (draining.compareAndSet(false, true)) {
            Thread.ofVirtual().name("ferry-queue-drain").start(this::drainLoop);
        }
    }

    private void drainLoop() {
        while (true) {
            String text;
            while ((text = pending.poll()) != null) {
                DELIVERING.set(this);
                try {
                    deliver.accept(text);
                } catch (RuntimeException e) {
                    onError.accept(e);
                } finally {
                    DELIVERING.remove();
                }
                if (max > 0 && delivered.incrementAndGet() == max) {
                    finishAfterLast();
                }
            }
            draining.set(false);
            // a message queued after the inner loop ended and before the flag was cleared
            if (pending.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private void finishAfterLast() {
        if (finished.compareAndSet(false, true)) {
            subscription.thenAccept(
                    s -> Thread.ofVirtual().name("ferry-queue-done").start(() -> {
                        s.pause();
                        stop();
                        onDone.run();
                    }));
        }
    }

    /** Whether {@link #stop()} was called or the maximum was reached and delivered. */
    @Override
    public boolean stopped() {
        return stopped.get();
    }

    /**
     * Stops the subscription: messages not yet received stay in the queue; at most once, messages
     * already received are still delivered. Blocks until the subscription is closed, unless called
     * from {@code deliver}, when it closes in the background. Idempotent.
     */
    @Override
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        Subscription s = subscription.getNow(null);
        if (s == null) {
            subscription.thenAccept(Subscription::close);
            return;
        }
        s.pause();
        if (DELIVERING.get() == this) {
            Thread.ofVirtual().name("ferry-queue-stop").start(s::close);
        } else {
            s.close();
        }
    }
}
