package dev.ferry.support;

import dev.ferry.AckMode;
import dev.ferry.Message;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The response state machine of a delivered {@link Message}, shared by the embedded bus (engine
 * leases) and the NSQ client (FIN/REQ/TOUCH on a connection): the first response (finish, requeue,
 * the expiry of an unanswered message, or a close) wins and frees the owner's in-flight slot; the
 * handler's outcome finishes, requeues with backoff or dead-letters the message unless the handler
 * took control of it or it was finished on receipt (ack mode IMMEDIATE).
 *
 * <p>Subclasses say how a response reaches the broker ({@link #sendFinish()}, {@link
 * #sendRequeue(Duration)}, {@link #sendTouch()}); each is called at most once per message, by the
 * thread whose response won, before the slot is freed.
 *
 * <p>Threading: thread-safe; responses may come from any thread, the handler outcome from the
 * handler's thread or from whatever thread completes its stage.
 *
 * @param <M> the concrete message type, as the owner knows it
 */
public abstract class AbstractDeliveredMessage<M extends AbstractDeliveredMessage<M>> implements Message {
    private final DeliveryOwner<M> owner;
    private final AtomicBoolean responded = new AtomicBoolean();
    private volatile boolean controlled;
    /** Finished before the handler ran (ack mode IMMEDIATE); the slot is freed when it returns. */
    private volatile boolean finishedOnReceipt;

    private volatile boolean armed;
    private volatile long deadlineMillis;
    /** The broker said the delivery expired or was dropped ({@link #leaseExpired}). */
    private volatile boolean leaseExpired;

    /**
     * @param owner the subscription the message was delivered to
     * @param deadlineMillis when an unanswered message times out, on the owner's clock
     */
    protected AbstractDeliveredMessage(DeliveryOwner<M> owner, long deadlineMillis) {
        this.owner = owner;
        this.deadlineMillis = deadlineMillis;
    }

    /** The subscription the message was delivered to. */
    public final DeliveryOwner<M> deliveredTo() {
        return owner;
    }

    /** This message as its concrete type. */
    protected abstract M self();

    /** Tells the broker the message is done; whether it took the answer. */
    protected abstract boolean sendFinish();

    /** Tells the broker to redeliver the message after {@code delay}; whether it took the answer. */
    protected abstract boolean sendRequeue(Duration delay);

    /** Extends the message's timeout at the broker: the new timeout in milliseconds, or -1 when not. */
    protected abstract long sendTouch();

    /** Finishes the message before its handler runs (ack mode IMMEDIATE); by default as a finish. */
    protected void sendFinishOnReceipt() {
        sendFinish();
    }

    /** Requeues the message at once because its subscription closes; by default as a requeue. */
    protected void sendRequeueOnClose() {
        sendRequeue(Duration.ZERO);
    }

    /** Claims the one response a message gets; true for the caller that won it. */
    protected final boolean claimResponse() {
        return responded.compareAndSet(false, true);
    }

    @Override
    public final boolean finish() {
        if (!claimResponse()) {
            return false;
        }
        try {
            return sendFinish();
        } finally {
            owner.released(self());
        }
    }

    @Override
    public final boolean requeue(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("requeue delay must not be negative: " + delay);
        }
        if (!claimResponse()) {
            return false;
        }
        try {
            return sendRequeue(delay);
        } finally {
            owner.released(self());
        }
    }

    @Override
    public final boolean touch() {
        if (responded.get()) {
            return false;
        }
        long timeout = sendTouch();
        if (timeout < 0) {
            return false;
        }
        deadlineMillis = owner.nowMillis() + timeout;
        return true;
    }

    @Override
    public final void takeControl() {
        controlled = true;
        arm();
    }

    /** From now on the message may outlive its handler call: watch its expiry. */
    public final void arm() {
        armed = true;
        if (leaseExpired) {
            expireNow();
        }
    }

    /** Whether the owner's sweep must watch this message's expiry. */
    public final boolean armed() {
        return armed;
    }

    /** Whether the message was finished before its handler ran (ack mode IMMEDIATE). */
    public final boolean finishedOnReceipt() {
        return finishedOnReceipt;
    }

    /**
     * Runs {@code handler} on this message and answers the message by its outcome: finished on
     * receipt first in ack mode IMMEDIATE, dead-lettered without a call when it arrives with its
     * attempts used up, and for an asynchronous handler, answered when its stage completes. Runs on
     * the caller's thread; never throws.
     */
    public final void deliverTo(DeliveryHandler handler) {
        try {
            DeadLetters deadLetters = owner.deadLetters();
            if (owner.options().ackMode() == AckMode.IMMEDIATE) {
                finishOnReceipt();
            } else if (deadLetters != null && deadLetters.exceededOnArrival(attempts())) {
                deadLetter(null);
                return;
            }
            CompletionStage<?> stage = handler.start(this);
            if (stage != null) {
                arm();
                stage.whenComplete((value, error) -> {
                    if (error == null) {
                        handlerSucceeded();
                    } else {
                        handlerFailed(error);
                    }
                });
            } else {
                handlerSucceeded();
            }
        } catch (Throwable error) {
            handlerFailed(error);
        }
    }

    /**
     * Finishes the message before its handler runs (ack mode IMMEDIATE), keeping its in-flight slot
     * until the handler is done so that max-in-flight still bounds the running handlers.
     */
    private void finishOnReceipt() {
        if (claimResponse()) {
            finishedOnReceipt = true;
            sendFinishOnReceipt();
        }
    }

    /** The handler returned normally (or its stage completed): finish unless under manual control. */
    private void handlerSucceeded() {
        if (finishedOnReceipt) {
            owner.released(self());
        } else if (!controlled) {
            finish();
            owner.onHandlerSuccess();
        }
    }

    /**
     * The handler failed: requeue with backoff, or move the message to the dead letters when its
     * attempts are used up; nothing under manual control or when it was finished on receipt.
     */
    private void handlerFailed(Throwable error) {
        if (finishedOnReceipt) {
            owner.log()
                    .warn(
                            "topic {} channel {}: handler failed on message {} (attempt {}), which was finished on"
                                    + " receipt (ack mode IMMEDIATE) and is not retried: {}",
                            topic(),
                            channel(),
                            id(),
                            attempts(),
                            error.toString());
            owner.released(self());
            return;
        }
        if (controlled) {
            return;
        }
        DeadLetters deadLetters = owner.deadLetters();
        if (deadLetters != null && deadLetters.exhaustedAfterFailure(attempts())) {
            deadLetter(error);
        } else {
            Duration delay = owner.options().backoff().delayFor(attempts());
            owner.log()
                    .warn(
                            "topic {} channel {}: handler failed on message {} (attempt {}); requeued for {} ms: {}",
                            topic(),
                            channel(),
                            id(),
                            attempts(),
                            delay.toMillis(),
                            error.toString());
            requeue(delay);
        }
        owner.onHandlerFailure();
    }

    /**
     * Publishes the body to the owner's dead-letter topic, then finishes the message; requeues it
     * with backoff when the publish fails.
     *
     * @param lastError the handler's last failure, or null when the message arrived exhausted
     */
    private void deadLetter(Throwable lastError) {
        arm();
        owner.deadLetters().send(this, lastError).whenComplete((v, e) -> {
            if (e == null) {
                finish();
            } else {
                requeue(owner.options().backoff().delayFor(attempts()));
            }
        });
    }

    /** Frees the slot of an unanswered message past its deadline (the broker redelivers it). */
    public final void expireIfDue(long nowMillis) {
        if (nowMillis >= deadlineMillis) {
            expireNow();
        }
    }

    /**
     * The broker says this delivery expired unanswered (or was dropped): it redelivers the message
     * and refuses this delivery's answers. An armed message (one that may outlive its handler call)
     * frees its slot now; a handler still running answers its message itself when it returns (the
     * answer is refused), so max-in-flight keeps bounding the running handlers. Any thread.
     */
    public final void leaseExpired() {
        leaseExpired = true;
        if (armed) {
            expireNow();
        }
    }

    /** Whether the broker said this delivery expired ({@link #leaseExpired}). */
    protected final boolean knownExpired() {
        return leaseExpired;
    }

    private void expireNow() {
        if (claimResponse() || finishedOnReceipt) {
            owner.released(self());
        }
    }

    /** Requeues at once on close, unless already answered. */
    public final void requeueOnClose() {
        if (claimResponse()) {
            try {
                sendRequeueOnClose();
            } finally {
                owner.released(self());
            }
        } else if (finishedOnReceipt) {
            owner.released(self());
        }
    }

    /** The deadline of an unanswered message, on the owner's clock (for subclasses' liveness checks). */
    protected final long deadlineMillis() {
        return deadlineMillis;
    }
}
