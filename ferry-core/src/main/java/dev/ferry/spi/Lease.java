package dev.ferry.spi;

import java.util.Objects;

/**
 * One delivery of a message to one consumer, handed out by {@link Engine#claim} or {@link
 * Engine.Consumer#claim}. The lease is valid until it is acked, nacked or expires; a stale lease
 * (its message timed out and may have been redelivered since) is refused by {@link Engine#ack},
 * {@link Engine#nack} and {@link Engine#extend}, whose stages then complete with {@code false}.
 *
 * <p>The {@code handle} is the engine's own, opaque to everyone else: the layers above never read
 * it, they only pass the whole lease back to the engine that issued it. An embedded engine may use
 * an object of its own, a Redis engine a stream id such as {@code "1700000000000-0"}.
 *
 * <p>Two leases are equal when they name the same delivery: the same topic, channel, handle and
 * attempts (the body and the other fields follow from those). An engine that reports a lease back
 * ({@link Engine.ConsumerListener#expired}) may therefore rebuild it instead of keeping the one it
 * handed out.
 *
 * @param topic the topic
 * @param channel the channel
 * @param handle the engine's opaque handle of the message within the channel; never null
 * @param messageId the message id (rendered as 16 hex characters on the wire)
 * @param timestamp publish time in nanoseconds since the epoch
 * @param attempts the delivery number, 1 on the first delivery
 * @param body the body; owned by the lease, not to be modified
 */
public record Lease(
        String topic, String channel, Object handle, long messageId, long timestamp, int attempts, byte[] body) {

    /** Checks that the handle is there. */
    public Lease {
        Objects.requireNonNull(handle, "handle");
    }

    /** The message id as NSQ's 16 lowercase hexadecimal characters. */
    public String idHex() {
        return MessageIds.toHex(messageId);
    }

    /** Same delivery: same topic, channel, handle and attempts. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Lease other
                && attempts == other.attempts
                && handle.equals(other.handle)
                && channel.equals(other.channel)
                && topic.equals(other.topic);
    }

    @Override
    public int hashCode() {
        return (31 * handle.hashCode() + attempts) * 31 + channel.hashCode();
    }

    @Override
    public String toString() {
        return "Lease[topic=" + topic + ", channel=" + channel + ", id=" + idHex() + ", attempts=" + attempts + "]";
    }
}
