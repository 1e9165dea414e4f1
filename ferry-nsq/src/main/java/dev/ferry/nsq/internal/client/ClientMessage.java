package dev.ferry.nsq.internal.client;

import dev.ferry.Message;
import dev.ferry.internal.patterns.DeadLetters;
import dev.ferry.nsq.internal.codec.ClientCommand;
import dev.ferry.nsq.internal.codec.Frame;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Message} delivered over a connection: finish, requeue and touch become FIN, REQ and
 * TOUCH on that connection. The first response wins and frees the in-flight slot; a response after
 * the message timed out, or after its connection was lost, returns {@code false} and sends nothing
 * (the broker redelivers the message). Thread-safe.
 */
final class ClientMessage implements Message {
    private final ConsumerSubscription subscription;
    private final ConsumerConnection connection;
    private final Frame.Message frame;
    private final AtomicBoolean responded = new AtomicBoolean();
    private volatile boolean controlled;
    /** Finished before the handler ran (ack mode IMMEDIATE); the slot is freed when it returns. */
    private volatile boolean finishedOnReceipt;

    private volatile boolean armed;
    private volatile long deadlineMillis;

    ClientMessage(
            ConsumerSubscription subscription,
            ConsumerConnection connection,
            Frame.Message frame,
            long deadlineMillis) {
        this.subscription = subscription;
        this.connection = connection;
        this.frame = frame;
        this.deadlineMillis = deadlineMillis;
    }

    ConsumerConnection connection() {
        return connection;
    }

    ConsumerSubscription owner() {
        return subscription;
    }

    @Override
    public String id() {
        return frame.id();
    }

    @Override
    public long timestamp() {
        return frame.timestamp();
    }

    @Override
    public int attempts() {
        return frame.attempts();
    }

    @Override
    public String topic() {
        return subscription.topic();
    }

    @Override
    public String channel() {
        return subscription.channel();
    }

    @Override
    public byte[] body() {
        return frame.body();
    }

    private boolean live() {
        return connection.isOpen() && subscription.nowMillis() < deadlineMillis;
    }

    @Override
    public boolean finish() {
        if (!responded.compareAndSet(false, true)) {
            return false;
        }
        boolean live = live();
        if (live) {
            connection.send(new ClientCommand.Fin(frame.id()));
        }
        subscription.released(this);
        return live;
    }

    @Override
    public boolean requeue(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("requeue delay must not be negative: " + delay);
        }
        if (!responded.compareAndSet(false, true)) {
            return false;
        }
        boolean live = live();
        if (live) {
            connection.send(new ClientCommand.Req(frame.id(), delay.toMillis()));
        }
        subscription.released(this);
        return live;
    }

    @Override
    public boolean touch() {
        if (responded.get() || !live()) {
            return false;
        }
        connection.send(new ClientCommand.Touch(frame.id()));
        deadlineMillis = subscription.nowMillis() + connection.connection().msgTimeoutMillis();
        return true;
    }

    @Override
    public void takeControl() {
        controlled = true;
        armed = true;
    }

    void arm() {
        armed = true;
    }

    boolean armed() {
        return armed;
    }

    boolean finishedOnReceipt() {
        return finishedOnReceipt;
    }

    /**
     * Finishes the message before its handler runs (ack mode IMMEDIATE), keeping its in-flight slot
     * until the handler is done so that max-in-flight still bounds the running handlers (the
     * connection lowers its RDY meanwhile: {@link ConsumerConnection#finishHeld}).
     */
    void finishOnReceipt() {
        if (responded.compareAndSet(false, true)) {
            finishedOnReceipt = true;
            connection.finishHeld(frame.id(), live());
        }
    }

    /** The handler returned normally (or its stage completed): finish unless under manual control. */
    void handlerSucceeded() {
        if (finishedOnReceipt) {
            subscription.released(this);
        } else if (!controlled) {
            finish();
            subscription.onHandlerSuccess();
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
        } else {
            Duration delay = subscription.options().backoff().delayFor(attempts());
            subscription.logHandlerFailure(this, error, delay);
            requeue(delay);
        }
        subscription.onHandlerFailure();
    }

    /**
     * Publishes the body to the subscription's dead-letter topic, then finishes the message; requeues
     * it with backoff when the publish fails.
     *
     * @param lastError the handler's last failure, or null when the message came back by timeouts
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

    /** Frees the slot of an unanswered message past its timeout (the broker redelivers it). */
    void expireIfDue(long nowMillis) {
        if (nowMillis >= deadlineMillis && (responded.compareAndSet(false, true) || finishedOnReceipt)) {
            subscription.released(this);
        }
    }

    /** The connection is gone: free the slot without sending (the broker redelivers it). */
    void drop() {
        if (responded.compareAndSet(false, true)) {
            subscription.released(this);
        }
    }

    /** Requeues at once on close, unless already answered. */
    void requeueOnClose() {
        if (responded.compareAndSet(false, true)) {
            connection.send(new ClientCommand.Req(frame.id(), 0));
            subscription.released(this);
        } else if (finishedOnReceipt) {
            subscription.released(this);
        }
    }
}
