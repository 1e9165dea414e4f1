package dev.ferry.nsq.internal.codec;

import java.nio.charset.StandardCharsets;

/**
 * A frame the server sends: {@code int32 size | int32 type | data}, where size counts the type and
 * the data. Responses and errors are flushed at once by the server; message frames may be buffered.
 */
public sealed interface Frame {
    /** Frame type of a response. */
    int TYPE_RESPONSE = 0;

    /** Frame type of an error. */
    int TYPE_ERROR = 1;

    /** Frame type of a message. */
    int TYPE_MESSAGE = 2;

    /** The {@code OK} response. */
    Response OK = Response.text("OK");

    /** The heartbeat the server sends every heartbeat interval. */
    Response HEARTBEAT = Response.text("_heartbeat_");

    /** The answer to CLS. */
    Response CLOSE_WAIT = Response.text("CLOSE_WAIT");

    /** A response frame. The data array is not copied; do not modify it. */
    record Response(byte[] data) implements Frame {
        /** A response carrying text. */
        public static Response text(String text) {
            return new Response(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * An error frame: {@code "E_CODE description"}.
     *
     * @param code the code, e.g. {@code E_BAD_TOPIC}
     * @param description the text after the code; empty for a bare code
     */
    record Error(String code, String description) implements Frame {
        /** The frame's text. */
        public String text() {
            return description.isEmpty() ? code : code + " " + description;
        }
    }

    /**
     * A message frame: {@code int64 timestamp | uint16 attempts | 16 ASCII hex id bytes | body}.
     *
     * @param timestamp publish time in nanoseconds since the epoch
     * @param attempts the delivery number (1 on the first delivery)
     * @param id the id as 16 hex characters
     * @param body the body; not copied, do not modify
     */
    record Message(long timestamp, int attempts, String id, byte[] body) implements Frame {
        /** Bytes of a message frame besides its body: size, type, timestamp, attempts and id. */
        public static final int HEADER_BYTES = 4 + 4 + 8 + 2 + 16;

        /** Checks the id and attempts. */
        public Message {
            if (id.length() != 16) {
                throw new IllegalArgumentException("a message id is 16 characters, got " + id.length());
            }
            if (attempts < 0 || attempts > 0xFFFF) {
                throw new IllegalArgumentException("attempts out of the uint16 range: " + attempts);
            }
        }
    }
}
