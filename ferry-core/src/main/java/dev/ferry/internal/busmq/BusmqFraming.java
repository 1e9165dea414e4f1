package dev.ferry.internal.busmq;

import java.util.Optional;

/**
 * node busmq's channel framing, used by a duplex whose queues are kept in busmq's layout: each
 * body starts with {@code :1:} (the sender connected), {@code :2:} followed by the message text,
 * {@code :3:} (the sender disconnected) or {@code :4:} (the sender ended the channel).
 */
public final class BusmqFraming {
    private BusmqFraming() {}

    /** A framed message. */
    public static String message(String text) {
        return ":2:" + text;
    }

    /** A framed control event. */
    public static String control(DuplexEnvelope.Type type) {
        return switch (type) {
            case CONNECT -> ":1:";
            case MESSAGE -> ":2:";
            case DISCONNECT -> ":3:";
            case END -> ":4:";
        };
    }

    /** Reads a framed body; empty when it is not framed as busmq frames them. */
    public static Optional<DuplexEnvelope> parse(String body) {
        if (body.length() < 3 || body.charAt(0) != ':' || body.charAt(2) != ':') {
            return Optional.empty();
        }
        return switch (body.charAt(1)) {
            case '1' -> Optional.of(new DuplexEnvelope(DuplexEnvelope.Type.CONNECT, null));
            case '2' -> Optional.of(new DuplexEnvelope(DuplexEnvelope.Type.MESSAGE, body.substring(3)));
            case '3' -> Optional.of(new DuplexEnvelope(DuplexEnvelope.Type.DISCONNECT, null));
            case '4' -> Optional.of(new DuplexEnvelope(DuplexEnvelope.Type.END, null));
            default -> Optional.empty();
        };
    }
}
