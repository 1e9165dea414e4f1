package dev.ferry.internal.bus;

import dev.ferry.Message;
import dev.ferry.spi.Lease;
import dev.ferry.support.AbstractDeliveredMessage;
import java.time.Duration;

/**
 * A {@link Message} backed by an engine lease: finish, requeue and touch become the engine's ack,
 * nack and extend. The response rules are those of {@link AbstractDeliveredMessage}. Thread-safe.
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

    @Override
    protected boolean sendFinish() {
        return subscription.engine().ack(lease);
    }

    @Override
    protected boolean sendRequeue(Duration delay) {
        return subscription.engine().nack(lease, subscription.clampDelay(delay));
    }

    @Override
    protected long sendTouch() {
        Duration timeout = subscription.options().messageTimeout();
        return subscription.engine().extend(lease, timeout) ? timeout.toMillis() : -1;
    }
}
