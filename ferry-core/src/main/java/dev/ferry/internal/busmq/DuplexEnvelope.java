package dev.ferry.internal.busmq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What travels in a duplex's queues: a JSON object whose {@code "type"} is {@code "message"} (with
 * the text in {@code "message"}), {@code "connect"}, {@code "disconnect"} or {@code "end"}. A body
 * that is not such an object is taken as a message as it is, so a plain NSQ client can talk to a
 * duplex by publishing text to its peer's topic.
 *
 * @param type the kind of envelope
 * @param message the text of a {@link Type#MESSAGE}, else null
 */
public record DuplexEnvelope(Type type, String message) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The kinds of envelope. */
    public enum Type {
        /** A message for the peer. */
        MESSAGE,
        /** The sender connected. */
        CONNECT,
        /** The sender disconnected. */
        DISCONNECT,
        /** The sender ended the duplex. */
        END
    }

    /** An envelope of a message. */
    public static String message(String text) {
        ObjectNode o = JSON.createObjectNode().put("type", "message").put("message", text);
        return o.toString();
    }

    /** An envelope of a control event. */
    public static String control(Type type) {
        return JSON.createObjectNode()
                .put("type", type.name().toLowerCase(java.util.Locale.ROOT))
                .toString();
    }

    /** Reads a body: an envelope, or a plain message. */
    public static DuplexEnvelope parse(String body) {
        if (!body.startsWith("{")) {
            return new DuplexEnvelope(Type.MESSAGE, body);
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return new DuplexEnvelope(Type.MESSAGE, body);
        }
        return switch (node.path("type").asText("")) {
            case "message" ->
                node.path("message").isTextual()
                        ? new DuplexEnvelope(Type.MESSAGE, node.path("message").asText())
                        : new DuplexEnvelope(Type.MESSAGE, body);
            case "connect" -> new DuplexEnvelope(Type.CONNECT, null);
            case "disconnect" -> new DuplexEnvelope(Type.DISCONNECT, null);
            case "end" -> new DuplexEnvelope(Type.END, null);
            default -> new DuplexEnvelope(Type.MESSAGE, body);
        };
    }
}
