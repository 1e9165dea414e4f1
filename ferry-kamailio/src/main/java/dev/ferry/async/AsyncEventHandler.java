package dev.ferry.async;

/**
 * Handles the type-key-value events emitted with {@link Async#emitEvent} (Kamailio's {@code
 * async_tkv_emit} and {@code event_route[core:tkv]}): {@code (type, key, value) -> log(type, key,
 * value)}. Runs on a worker of the default group; one handler per {@link Async} instance.
 */
@FunctionalInterface
public interface AsyncEventHandler {
    /**
     * Handles one event.
     *
     * @param type the event's type
     * @param key its key
     * @param value its value
     * @throws Exception to fail the event: the future {@link Async#emitEvent} returned completes with
     *     it
     */
    void handle(String type, String key, String value) throws Exception;
}
