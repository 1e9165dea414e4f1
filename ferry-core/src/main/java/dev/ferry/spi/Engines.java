package dev.ferry.spi;

import java.time.Clock;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds engines by URI: the {@link EngineProvider}s on the class path, looked up by scheme with
 * {@link ServiceLoader}. The errors are meant for a person: an unknown scheme lists the schemes there
 * are, an unknown parameter the parameters the engine takes.
 *
 * <p>Thread-safe; each call looks the providers up again (opening an engine is rare).
 */
public final class Engines {
    private Engines() {}

    /** The schemes served by the providers on the class path, sorted. */
    public static Set<String> schemes() {
        return new TreeSet<>(providers().keySet());
    }

    /**
     * The provider of {@code scheme} (lower or upper case, without the colon).
     *
     * @throws IllegalArgumentException when no provider serves it, listing the schemes there are
     */
    public static EngineProvider provider(String scheme) {
        Map<String, EngineProvider> providers = providers();
        EngineProvider provider = providers.get(scheme.toLowerCase(java.util.Locale.ROOT));
        if (provider == null) {
            throw new IllegalArgumentException("no engine for scheme '" + scheme + ":' on the class path; the schemes"
                    + " there are: "
                    + String.join(
                            ", ", providers.keySet().stream().map(s -> s + ":").toList())
                    + (scheme.startsWith("redis") ? " (the Redis engine comes with the ferry-redis module)" : ""));
        }
        return provider;
    }

    /**
     * Checks that the provider of {@code uri}'s scheme takes every parameter the URI gives.
     *
     * @return the provider
     * @throws IllegalArgumentException for an unknown scheme, or naming the first unknown parameter and
     *     listing the known ones
     */
    public static EngineProvider check(EngineUri uri) {
        EngineProvider provider = provider(uri.scheme());
        Set<String> known = provider.parameters(uri.scheme());
        for (String name : uri.parameters().keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("the engine " + uri.scheme() + ": takes no parameter '" + name + "'"
                        + (known.isEmpty()
                                ? "; it takes none"
                                : "; it takes: " + String.join(", ", new TreeSet<>(known))));
            }
        }
        return provider;
    }

    /**
     * Opens the engine {@code uri} names. The caller owns the engine and closes it.
     *
     * @throws IllegalArgumentException for a malformed URI, an unknown scheme, an unknown parameter or
     *     a value that cannot be used, each named
     * @throws dev.ferry.StorageException when the engine's storage cannot be opened
     */
    public static Engine open(String uri, Clock clock) {
        return open(EngineUri.parse(uri), clock);
    }

    /** Opens the engine {@code uri} names: {@link #open(String, Clock)}. */
    public static Engine open(EngineUri uri, Clock clock) {
        return check(uri).open(uri, clock);
    }

    private static Map<String, EngineProvider> providers() {
        Map<String, EngineProvider> byScheme = new TreeMap<>();
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader())) {
            for (String scheme : p.schemes()) {
                byScheme.putIfAbsent(scheme.toLowerCase(java.util.Locale.ROOT), p);
            }
        }
        return byScheme;
    }
}
