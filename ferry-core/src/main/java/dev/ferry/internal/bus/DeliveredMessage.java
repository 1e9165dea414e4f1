package dev.ferry.internal.bus;

import dev.ferry.Message;
import dev.ferry.spi.Lease;
import dev.ferry.support.AbstractDeliveredMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Message} backed by an engine lease: finish, requeue and touch become the engine's ack,
 * nack and extend. The response rules are those of {@link AbstractDeliveredMessage}. Thread-safe;
 * never blocks on the engine.
 *
 * <p>What {@code finish()}, {@code requeue()} and {@code touch()} return: the engine's answer when it
 * is there at once (the embedded engine), otherwise whether the lease is still valid as far as the
 * subscription knows (it hears of expiry from the engine); a refusal that comes later is logged.
 */
final class DeliveredMessage extends AbstractDeliveredMessage<DeliveredMessage> {
    private final LocalSubscription subscription;
    private final Lease lease;

    DeliveredMessage(LocalSubscription subscription, Lease lease, long deadline) {
        super(subscription, deadline);
        this.subscription = subscription;
        this.lease = lease;
    }

    @Override
    protected DeliveredMessage self() {
        return this;
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

    /** The engine's lease of this delivery. */
    Lease lease() {
        return lease;
    }

    @Override
    protected boolean sendFinish() {
        return answer(subscription.engine().ack(lease), "finish");
    }

    @Override
    protected boolean sendRequeue(Duration delay) {
        return answer(subscription.engine().nack(lease, subscription.clampDelay(delay)), "requeue");
    }

    @Override
    protected long sendTouch() {
        Duration timeout = subscription.options().messageTimeout();
        return answer(subscription.engine().extend(lease, timeout), "touch") ? timeout.toMillis() : -1;
    }

    /** The engine's answer if it is there already, else the best knowledge now (see the class). */
    private boolean answer(CompletionStage<Boolean> stage, String what) {
        CompletableFuture<Boolean> answer = stage.toCompletableFuture();
        if (answer.isDone()) {
            if (answer.isCompletedExceptionally()) {
                failed(what, answer.exceptionNow());
                return false;
            }
            return answer.resultNow();
        }
        subscription.answering(answer);
        answer.whenComplete((taken, error) -> {
            if (error != null) {
                failed(what, error);
            } else if (!taken) {
                subscription
                        .log()
                        .debug(
                                "topic {} channel {}: the engine refused the {} of message {} (attempt {}): its lease"
                                        + " expired",
                                topic(),
                                channel(),
                                what,
                                id(),
                                attempts());
            }
        });
        return !knownExpired();
    }

    private void failed(String what, Throwable error) {
        subscription
                .log()
                .warn(
                        "topic {} channel {}: the {} of message {} (attempt {}) failed in the engine; the message"
                                + " is delivered again when its lease expires: {}",
                        topic(),
                        channel(),
                        what,
                        id(),
                        attempts(),
                        error.toString());
    }
}
