package dev.ferry.nsq.internal.client;

import dev.ferry.Message;
import dev.ferry.nsq.internal.codec.ClientCommand;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.support.AbstractDeliveredMessage;
import java.time.Duration;

/**
 * A {@link Message} delivered over a connection: finish, requeue and touch become FIN, REQ and
 * TOUCH on that connection. The response rules are those of {@link AbstractDeliveredMessage}; a
 * response after the message timed out, or after its connection was lost, returns {@code false} and
 * sends nothing (the broker redelivers the message). Thread-safe.
 */
final class ClientMessage extends AbstractDeliveredMessage<ClientMessage> {
    private final ConsumerSubscription subscription;
    private final ConsumerConnection connection;
    private final Frame.Message frame;

    ClientMessage(
            ConsumerSubscription subscription,
            ConsumerConnection connection,
            Frame.Message frame,
            long deadlineMillis) {
        super(subscription, deadlineMillis);
        this.subscription = subscription;
        this.connection = connection;
        this.frame = frame;
    }

    ConsumerConnection connection() {
        return connection;
    }

    @Override
    protected ClientMessage self() {
        return this;
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
        return connection.isOpen() && subscription.nowMillis() < deadlineMillis();
    }

    @Override
    protected boolean sendFinish() {
        boolean live = live();
        if (live) {
            connection.send(new ClientCommand.Fin(frame.id()));
        }
        return live;
    }

    @Override
    protected boolean sendRequeue(Duration delay) {
        boolean live = live();
        if (live) {
            connection.send(new ClientCommand.Req(frame.id(), delay.toMillis()));
        }
        return live;
    }

    @Override
    protected long sendTouch() {
        if (!live()) {
            return -1;
        }
        connection.send(new ClientCommand.Touch(frame.id()));
        return connection.connection().msgTimeoutMillis();
    }

    /**
     * Finishes at once but keeps the in-flight slot until the handler is done; the connection lowers
     * its RDY meanwhile ({@link ConsumerConnection#finishHeld}).
     */
    @Override
    protected void sendFinishOnReceipt() {
        connection.finishHeld(frame.id(), live());
    }

    /** Sends REQ 0 without the liveness check of a requeue: closing always tells the broker. */
    @Override
    protected void sendRequeueOnClose() {
        connection.send(new ClientCommand.Req(frame.id(), 0));
    }

    /** The connection is gone: free the slot without sending (the broker redelivers it). */
    void drop() {
        if (claimResponse()) {
            subscription.released(this);
        }
    }
}
