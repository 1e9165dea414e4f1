package dev.ferry.spi;

import java.time.Clock;
import java.util.Set;

/**
 * Opens the engines of one or more URI schemes: what {@link Engines} finds with {@link
 * java.util.ServiceLoader} to turn an engine URI ({@code file:./data}, {@code memory:}, {@code
 * redis://host}) into an {@link Engine}. ferry-core provides {@code file:} (the embedded durable
 * engine) and {@code memory:}; other modules add theirs in {@code
 * META-INF/services/dev.ferry.spi.EngineProvider}.
 *
 * <p>Implementations have a public no-argument constructor, hold no state and are thread-safe.
 */
public interface EngineProvider {
    /** The schemes served, lower case, without the colon ({@code "file"}). Never empty. */
    Set<String> schemes();

    /**
     * The query parameters the engines of {@code scheme} take. {@link Engines#open} refuses any other
     * by name before calling {@link #open}.
     */
    Set<String> parameters(String scheme);

    /**
     * Opens the engine {@code uri} names, with its settings from the URI's parameters (all of them in
     * {@link #parameters}). The caller owns the engine and closes it.
     *
     * @param uri the engine's URI; its scheme is one of {@link #schemes()}
     * @param clock the clock for timestamps, timeouts and due times (the bus's)
     * @throws IllegalArgumentException when the location or a parameter's value is not usable, naming
     *     it
     * @throws dev.ferry.StorageException when the engine's storage cannot be opened
     */
    Engine open(EngineUri uri, Clock clock);
}
