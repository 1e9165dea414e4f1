package dev.ferry.redis.internal;

import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer registered on a channel through this node. It remembers the leases it claimed with
 * their deadlines (on the engine's clock), so that this node's timer can tell its listener when one
 * expires, whichever node's claim put the message back in Redis; an acked or nacked lease is
 * forgotten first, so its listener never hears of it.
 *
 * <p>Registration runs in the background ({@link Engine#register} returns at once); claims wait for
 * it, and a registration that failed (Redis away) is tried again by the next claim or timer beat.
 * A claim that fails because Redis cannot be reached logs a rate-limited warning and completes with
 * nothing: the timer's next look at the channel tells the listener when Redis answers again.
 *
 * <p>Thread-safe: claims, answers and the timer may run on several threads at once.
 */
final class RedisConsumer implements Engine.Consumer {
    private static final Logger log = LoggerFactory.getLogger(RedisConsumer.class);

    private final RedisEngine engine;
    final ChannelGroup group;
    private final Engine.ConsumerListener listener;
    private final Map<Lease, Long> deadlines = new ConcurrentHashMap<>();
    private volatile CompletableFuture<Void> registered;
    private volatile boolean closed;

    RedisConsumer(RedisEngine engine, ChannelGroup group, Engine.ConsumerListener listener) {
        this.engine = engine;
        this.group = group;
        this.listener = listener;
    }

    /** Starts (or restarts, after a failure) the registration in Redis. */
    CompletableFuture<Void> ensureRegistered() {
        CompletableFuture<Void> r = registered;
        if (r == null || r.isCompletedExceptionally()) {
            synchronized (this) {
                r = registered;
                if (r == null || r.isCompletedExceptionally()) {
                    r = engine.registerInRedis(this);
                    registered = r;
                    r.whenComplete((ok, failure) -> {
                        if (failure == null) {
                            signalAvailable();
                        } else {
                            engine.node(group.topic)
                                    .errors()
                                    .warnRateLimited(
                                            log,
                                            "registering a consumer of " + group.topic + "/" + group.channel,
                                            failure);
                        }
                    });
                }
            }
        }
        return r;
    }

    /** Whether its registration failed and must be tried again. */
    boolean registrationFailed() {
        CompletableFuture<Void> r = registered;
        return r != null && r.isCompletedExceptionally();
    }

    @Override
    public CompletionStage<List<Lease>> claim(int max, Duration timeout) {
        if (closed || max <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        return ensureRegistered()
                .thenCompose(ok -> engine.claim(group.topic, group.channel, max, timeout, this))
                .exceptionally(failure -> {
                    engine.node(group.topic)
                            .errors()
                            .warnRateLimited(log, "claiming from " + group.topic + "/" + group.channel, failure);
                    return List.of();
                });
    }

    /** Remembers a lease it claimed, until {@code deadlineMillis} on the engine's clock. */
    void track(Lease lease, long deadlineMillis) {
        if (!closed) {
            deadlines.put(lease, deadlineMillis);
        }
    }

    /** Forgets a lease being answered; its deadline when it was tracked here, else null. */
    Long forget(Lease lease) {
        return deadlines.remove(lease);
    }

    /** Moves a tracked lease's deadline (TOUCH). */
    void extend(Lease lease, long deadlineMillis) {
        deadlines.computeIfPresent(lease, (l, old) -> deadlineMillis);
    }

    /** The tracked leases whose deadline is at or before {@code now}. */
    List<Lease> due(long now) {
        List<Lease> out = new ArrayList<>();
        deadlines.forEach((lease, deadline) -> {
            if (deadline <= now) {
                out.add(lease);
            }
        });
        return out;
    }

    /** Tells the listener that {@code lease} expired, unless it was answered or told already. */
    void expired(Lease lease) {
        if (deadlines.remove(lease) != null) {
            listener.expired(lease);
        }
    }

    /** Tells the listener that every lease it holds was dropped (its channel emptied or deleted). */
    void dropAll() {
        for (Lease lease : new ArrayList<>(deadlines.keySet())) {
            expired(lease);
        }
    }

    void signalAvailable() {
        if (!closed) {
            listener.available();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        deadlines.clear();
        engine.unregister(this, registered);
    }
}
