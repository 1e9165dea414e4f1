package dev.ferry.internal.bus;

import dev.ferry.Message;
import dev.ferry.internal.patterns.DeadLetters;
import dev.ferry.spi.Lease;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Message} backed by an engine lease. The first response (finish, requeue, or the
 * expiry of an unanswered lease) wins and frees the subscription's in-flight slot. Thread-safe.
 */
final class DeliveredMessage implements Message {
    private final LocalSubscription subscription;
    private final Lease lease;
    private final AtomicBoolean responded = new AtomicBoolean();
    private volatile boolean controlled;
    /** Finished before the handler ran (ack mode IMMEDIATE); the slot is freed when it returns. */
    private volatile boolean finishedOnReceipt;

    private volatile boolean armed;
    private volatile long deadline;

    DeliveredMessage(LocalSubscription subscription, Lease lease, long deadline) {
        this.subscription = subscription;
        this.lease = lease;
        this.deadline = deadline;
    }

    LocalSubscription owner() {
        return subscription;
    }

    Lease lease() {
        return lease;
    }

    @Override
    public String id() {
        return lease.idHex();
    }

    @Override
    public long timestamp() {
        return lease.timestamp();
    }

    @Override
    public int attempts() {
        return lease.attempts();
    }

    @Override
    public String topic() {
        return lease.topic();
    }

    @Override
    public String channel() {
        return lease.channel();
    }

    @Override
    public byte[] body() {
        return lease.body();
    }

    @Override
    public boolean finish() {
        if (!responded.compareAndSet(false, true)) {
            return false;
        }
        try {
            return subscription.engine().ack(lease);
        } finally {
            subscription.released(this);
        }
    }

    @Override
    public boolean requeue(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("requeue delay must not be negative: " + delay);
        }
        if (!responded.compareAndSet(false, true)) {
            return false;
        }
        try {
            return subscription.engine().nack(lease, delay);
        } finally {
            subscription.released(this);
        }
    }

    @Override
    public boolean touch() {
        if (responded.get()) {
            return false;
        }
        Duration timeout = subscription.options().messageTimeout();
        boolean ok = subscription.engine().extend(lease, timeout);
        if (ok) {
            deadline = subscription.nowMillis() + timeout.toMillis();
        }
        return ok;
    }

    @Override
    public void takeControl() {
        controlled = true;
        armed = true;
    }

    /** From now on the message may outlive its handler call: watch its lease's expiry. */
    void arm() {
        armed = true;
    }

    boolean armed() {
        return armed;
    }

    boolean responded() {
        return responded.get();
    }

    /**
     * Finishes the message before its handler runs (ack mode IMMEDIATE), keeping its in-flight slot
     * until the handler is done so that max-in-flight still bounds the running handlers.
     */
    void finishOnReceipt() {
        if (responded.compareAndSet(false, true)) {
            finishedOnReceipt = true;
            subscription.engine().ack(lease);
        }
    }

    /** The handler returned normally (or its stage completed): finish unless under manual control. */
    void handlerSucceeded() {
        if (finishedOnReceipt) {
            subscription.released(this);
        } else if (!controlled) {
            finish();
        }
    }

    /**
     * The handler failed: requeue with backoff, or move the message to the dead letters when its
     * attempts are used up; nothing under manual control or when it was finished on receipt.
     */
    void handlerFailed(Throwable error) {
        if (finishedOnReceipt) {
            subscription.logLostFailure(this, error);
            subscription.released(this);
            return;
        }
        if (controlled) {
            return;
        }
        DeadLetters deadLetters = subscription.deadLetters();
        if (deadLetters != null && deadLetters.exhaustedAfterFailure(attempts())) {
            deadLetter(error);
            return;
        }
        Duration delay = subscription.options().backoff().delayFor(attempts());
        subscription.logHandlerFailure(this, error, delay);
        requeue(delay);
    }

    /**
     * Publishes the body to the dead-letter topic, then finishes the message; requeues it with
     * backoff when the publish fails.
     */
    void deadLetter(Throwable lastError) {
        arm();
        subscription.deadLetters().send(this, lastError).whenComplete((v, e) -> {
            if (e == null) {
                finish();
            } else {
                requeue(subscription.options().backoff().delayFor(attempts()));
            }
        });
    }

    /** Frees the slot of an unanswered message whose lease has expired (the engine redelivers it). */
    void expireIfDue(long now) {
        if (now < deadline) {
            return;
        }
        if (responded.compareAndSet(false, true) || finishedOnReceipt) {
            subscription.released(this);
        }
    }

    /** Requeues at once on close, unless already answered. */
    void requeueOnClose() {
        if (responded.compareAndSet(false, true)) {
            try {
                subscription.engine().nack(lease, Duration.ZERO);
            } finally {
                subscription.released(this);
            }
        } else if (finishedOnReceipt) {
            subscription.released(this);
        }
    }
}
