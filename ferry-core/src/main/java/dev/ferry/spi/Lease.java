package dev.ferry.spi;

/**
 * One delivery of a message to one consumer, handed out by {@link Engine#claim}. The lease is
 * valid until it is acked, nacked or times out; a stale lease (its message was redelivered since)
 * is refused by {@link Engine#ack}, {@link Engine#nack} and {@link Engine#extend}.
 *
 * @param topic the topic
 * @param channel the channel
 * @param handle the engine's opaque handle of the message within the channel
 * @param messageId the message id (rendered as 16 hex characters on the wire)
 * @param timestamp publish time in nanoseconds since the epoch
 * @param attempts the delivery number, 1 on the first delivery
 * @param body the body; owned by the lease, not to be modified
 */
public record Lease(
        String topic, String channel, long handle, long messageId, long timestamp, int attempts, byte[] body) {

    /** The message id as NSQ's 16 lowercase hexadecimal characters. */
    public String idHex() {
        return MessageIds.toHex(messageId);
    }
}
