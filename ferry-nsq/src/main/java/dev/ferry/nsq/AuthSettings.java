package dev.ferry.nsq;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where a broker asks what a client's AUTH secret allows: nsqd's {@code --auth-http-address} services
 * (queried in turn until one answers), with nsqd's two HTTP client timeouts. The answers are cached
 * for the TTL the service gives. Immutable.
 *
 * @param httpAddresses the auth services, {@code host:port} or a full URL; at least one
 * @param connectTimeout how long connecting to a service may take ({@code
 *     --http-client-connect-timeout}, nsqd's default 2 s); positive
 * @param requestTimeout how long a whole query may take ({@code --http-client-request-timeout},
 *     nsqd's default 5 s); positive
 */
public record AuthSettings(List<String> httpAddresses, Duration connectTimeout, Duration requestTimeout) {
    /**
     * Validates and copies the settings.
     *
     * @throws IllegalArgumentException when no address is given or a timeout is not positive
     */
    public AuthSettings {
        httpAddresses = List.copyOf(Objects.requireNonNull(httpAddresses, "httpAddresses"));
        if (httpAddresses.isEmpty()) {
            throw new IllegalArgumentException("auth needs at least one auth service HTTP address");
        }
        positive("connectTimeout", connectTimeout);
        positive("requestTimeout", requestTimeout);
    }

    /** The auth services at {@code httpAddresses}, with {@code timeout} to connect and for the query. */
    public static AuthSettings of(List<String> httpAddresses, Duration timeout) {
        return new AuthSettings(httpAddresses, timeout, timeout);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("auth " + name + " must be positive, got " + value);
        }
    }
}
