package dev.ferry.async;

/**
 * Handles type-key-value events emitted with {@link Async#tkvEmit} (Kamailio's {@code
 * event_route[core:tkv]}). Runs on a worker of the default group.
 */
@FunctionalInterface
public interface AsyncTkvHandler {
    /**
     * Handles one event.
     *
     * @throws Exception to fail the event: the future {@code tkvEmit} returned completes with it
     */
    void handle(String type, String key, String value) throws Exception;
}
