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
 * subscription (a work-in-progress counter makes concurrent signals coalesce). Handlers run on the
 * handler executor, except a {@link NonBlockingHandler}, which runs on the dispatch thread.
 * Responses may come from any thread.
 */
final class LocalSubscription implements Subscription, DeliveryOwner<DeliveredMessage> {
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
    private final InFlightMessages<DeliveredMessage> inFlight = new InFlightMessages<>();
    private volatile boolean paused;
    private volatile Engine.Registration registration;

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
        registration = engine.register(topic, channel, this::signal);
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
        int missed = 1;
        do {
            while (!closed.get() && !paused) {
                int free = options.maxInFlight() - inFlight.count();
                if (free <= 0) {
                    break;
                }
                List<Lease> leases;
                try {
                    leases = engine.claim(topic, channel, free, options.messageTimeout());
                } catch (RuntimeException e) {
                    log.error("topic {} channel {}: claiming messages failed; retrying", topic, channel, e);
                    bus.retryLater(this);
                    break;
                }
                if (leases.isEmpty()) {
                    break;
                }
                inFlight.reserve(leases.size());
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
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
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

    /** Frees the slots of armed messages whose lease expired unanswered. */
    void sweepExpired(long now) {
        inFlight.sweepExpired(now);
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

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // a handler closing its own subscription waits for the others only, and its own message
        // is answered by its own outcome
        running.awaitOthers(options.closeTimeout());
        inFlight.requeueOnClose(running.current());
        Engine.Registration r = registration;
        if (r != null) {
            r.close();
        }
        bus.removed(this);
    }
}
