package dev.ferry.spi;

import java.util.Objects;

/**
 * One message to append.
 *
 * @param body the body; the engine does not modify it and keeps no reference after append returns
 *     unless it stores in memory
 * @param deferMillis how long after publishing the message becomes deliverable (0: at once)
 */
public record PublishRecord(byte[] body, long deferMillis) {
    /** Validates the record. */
    public PublishRecord {
        Objects.requireNonNull(body, "body");
        if (deferMillis < 0) {
            throw new IllegalArgumentException("deferMillis must not be negative: " + deferMillis);
        }
    }

    /** A message deliverable at once. */
    public static PublishRecord of(byte[] body) {
        return new PublishRecord(body, 0);
    }
}
