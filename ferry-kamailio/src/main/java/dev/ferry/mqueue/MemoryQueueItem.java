package dev.ferry.mqueue;

import java.util.Objects;

/**
 * An item of a memory queue: a key and a value, either of which may be empty.
 *
 * <p>Immutable.
 *
 * @param key the key (Kamailio's {@code $mqk})
 * @param value the value (Kamailio's {@code $mqv})
 */
public record MemoryQueueItem(String key, String value) {
    /** Rejects nulls; empty strings are fine. */
    public MemoryQueueItem {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
