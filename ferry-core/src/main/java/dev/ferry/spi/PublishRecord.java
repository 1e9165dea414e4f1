package dev.ferry.spi;

import java.util.Objects;

/**
 * One message to append.
 *
 * @param body the body, handed over to the engine: it may keep the array and hand it out in leases
 *     (the caller must not modify it afterwards); the engine never modifies it
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
