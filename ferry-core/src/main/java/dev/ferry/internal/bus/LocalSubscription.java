package dev.ferry.internal.bus;

import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import dev.ferry.support.DeadLetters;
import dev.ferry.support.DeliveryHandler;
import dev.ferry.support.DeliveryOwner;
import dev.ferry.support.InFlightMessages;
import dev.ferry.support.NonBlockingHandler;
import dev.ferry.support.RunningHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription: claims leases from the engine while fewer than max-in-flight messages are out,
 * and runs the handler for each on the bus's handler executor.
 *
 * <p>Threading: the engine calls {@link #signal()} from publisher, consumer or engine threads; the
 * claim loop ({@link #drain()}) then runs on the bus's dispatch executor, one at a time per
 * subscription (a work-in-progress counter makes concurrent signals coalesce). The loop never waits
 * for the engine: a claim that completes later keeps the loop's turn and continues it on the
 * dispatch executor when the leases arrive. Handlers run on the handler executor, except a {@link
 * NonBlockingHandler}, which runs on the dispatch thread. Responses may come from any thread. The
 * engine tells the subscription when a lease expired ({@link Engine.ConsumerListener#expired}),
 * from any thread; that frees the slot of a message that outlives its handler call.
 */
final class LocalSubscription implements Subscription, DeliveryOwner<DeliveredMessage>, Engine.ConsumerListener {
    private static final Logger log = LoggerFactory.getLogger(LocalSubscription.class);

    private final LocalBus bus;
    private final Engine engine;
    private final String topic;
    private final String channel;
    private final DeliveryHandler handler;
    private final SubscribeOptions options;
    private final DeadLetters deadLetters;
    /** Whether the handler runs on the dispatch thread (a {@link NonBlockingHandler}). */
    private final boolean inline;

    private final AtomicInteger wip = new AtomicInteger();
    private final RunningHandlers running;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final InFlightMessages<DeliveredMessage> inFlight = new InFlightMessages<>(DeliveredMessage::lease);
    private volatile boolean paused;
    private volatile Engine.Consumer consumer;
    /** Answers (finish, requeue, touch) the engine has not taken yet; a close waits for them. */
    private final Set<CompletableFuture<Boolean>> pendingAnswers = ConcurrentHashMap.newKeySet();

    LocalSubscription(LocalBus bus, String topic, String channel, DeliveryHandler handler, SubscribeOptions options) {
        this.bus = bus;
        this.engine = bus.engine();
        this.topic = topic;
        this.channel = channel;
        this.handler = handler;
        this.options = options;
        this.deadLetters = options.deadLetter().enabled() ? new DeadLetters(bus, topic, options.deadLetter()) : null;
        this.inline = handler.nonBlocking();
        this.running = new RunningHandlers(this, closed::get);
    }

    void start() {
        consumer = engine.register(topic, channel, this);
        // the engine's first signal may have come before the consumer was known here
        signal();
    }

    Engine engine() {
        return engine;
    }

    /** {@code delay} clamped to the bus's maximum requeue delay. */
    Duration clampDelay(Duration delay) {
        return Duration.ofMillis(bus.clampDelay(delay.toMillis()));
    }

    @Override
    public SubscribeOptions options() {
        return options;
    }

    /** The dead-letter policy, or null when there is none. */
    @Override
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    @Override
    public long nowMillis() {
        return bus.clock().millis();
    }

    @Override
    public void available() {
        signal();
    }

    /** The engine says a lease expired: the message's slot is freed unless its handler still runs. */
    @Override
    public void expired(Lease lease) {
        DeliveredMessage message = inFlight.get(lease);
        if (message != null) {
            message.leaseExpired();
        }
    }

    /** Messages may be claimable: run the claim loop unless it is already running. */
    void signal() {
        if (closed.get() || paused) {
            return;
        }
        if (wip.getAndIncrement() == 0) {
            bus.dispatch().execute(this::drain);
        }
    }

    private void drain() {
        drain(1);
    }

    /**
     * The claim loop, holding {@code missed} signals of the work-in-progress count. A claim that is
     * not complete at once takes the loop's turn with it: its completion continues the loop.
     */
    private void drain(int missed) {
        do {
            while (!closed.get() && !paused) {
                int free = options.maxInFlight() - inFlight.count();
                if (free <= 0) {
                    break;
                }
                Engine.Consumer c = consumer;
                if (c == null) {
                    break; // not registered yet: start() signals again once it is
                }
                CompletableFuture<List<Lease>> claimed;
                try {
                    claimed = c.claim(free, options.messageTimeout()).toCompletableFuture();
                } catch (RuntimeException e) {
                    claimed = CompletableFuture.failedFuture(e);
                }
                // the slots are taken until the leases are known, so no other claim overshoots
                inFlight.reserve(free);
                if (!claimed.isDone()) {
                    int held = missed;
                    claimed.whenComplete(
                            (leases, error) -> bus.dispatch().execute(() -> claimedLater(free, leases, error, held)));
                    return;
                }
                boolean more = claimed.isCompletedExceptionally()
                        ? claimFailed(free, claimed.exceptionNow())
                        : deliver(free, claimed.resultNow());
                if (!more) {
                    break;
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** A claim completed after the loop let go of the thread: deliver, then go on with the loop. */
    private void claimedLater(int reserved, List<Lease> leases, Throwable error, int missed) {
        boolean more = error != null ? claimFailed(reserved, error) : deliver(reserved, leases);
        if (more) {
            drain(missed);
            return;
        }
        int left = wip.addAndGet(-missed);
        if (left != 0) {
            drain(left);
        }
    }

    private boolean claimFailed(int reserved, Throwable error) {
        inFlight.unreserve(reserved);
        log.error("topic {} channel {}: claiming messages failed; retrying", topic, channel, error);
        bus.retryLater(this);
        return false;
    }

    /**
     * Hands claimed leases to the handler, in {@code reserved} slots taken before the claim; true
     * when the loop should claim again.
     */
    private boolean deliver(int reserved, List<Lease> leases) {
        inFlight.unreserve(reserved - leases.size());
        if (closed.get()) {
            // claimed while the subscription closed: back to the channel at once
            for (Lease lease : leases) {
                inFlight.unreserve(1);
                engine.nack(lease, java.time.Duration.ZERO);
            }
            return false;
        }
        if (leases.isEmpty()) {
            return false;
        }
        long deadline = nowMillis() + options.messageTimeout().toMillis();
        for (Lease lease : leases) {
            DeliveredMessage message = new DeliveredMessage(this, lease, deadline);
            inFlight.track(message);
            if (inline) {
                handle(message);
            } else {
                bus.handlers().execute(() -> handle(message));
            }
        }
        return true;
    }

    private void handle(DeliveredMessage message) {
        running.run(message, handler);
    }

    /** A message was answered or expired: free its slot and claim more. */
    @Override
    public void released(DeliveredMessage message) {
        if (inFlight.release(message)) {
            signal();
        }
    }

    @Override
    public Logger log() {
        return log;
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
        signal();
    }

    @Override
    public boolean isPaused() {
        return paused;
    }

    @Override
    public int inFlight() {
        return inFlight.count();
    }

    /** Notes an answer to one of the subscription's messages that the engine has not taken yet. */
    void answering(CompletableFuture<Boolean> answer) {
        pendingAnswers.add(answer);
        answer.whenComplete((taken, error) -> pendingAnswers.remove(answer));
    }

    /**
     * Waits until the engine took the answers given before and during a close (the handlers'
     * finishes and requeues, the requeues of the close), so that the channel shows them when close
     * returns; up to the close timeout, and never on a dispatch thread (a non-blocking handler
     * closing its own subscription), which must not wait for the engine.
     */
    private void awaitAnswers(long deadlineNanos) {
        if (pendingAnswers.isEmpty() || LocalBus.onDispatchThread()) {
            return;
        }
        try {
            CompletableFuture.allOf(pendingAnswers.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            log.warn(
                    "topic {} channel {}: the engine had not taken the answers of the closing subscription"
                            + " within the close timeout of {} ms; they complete later",
                    topic,
                    channel,
                    options.closeTimeout().toMillis());
        } catch (ExecutionException e) {
            log.warn(
                    "topic {} channel {}: an answer failed in the engine at close; its message is delivered"
                            + " again when its lease expires: {}",
                    topic,
                    channel,
                    e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + options.closeTimeout().toNanos();
        // a handler closing its own subscription waits for the others only, and its own message
        // is answered by its own outcome
        running.awaitOthers(options.closeTimeout());
        inFlight.requeueOnClose(running.current());
        awaitAnswers(deadline);
        Engine.Consumer c = consumer;
        if (c != null) {
            c.close();
        }
        bus.removed(this);
    }
}
