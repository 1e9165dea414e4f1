package dev.ferry.spi;

import dev.ferry.support.GoDurations;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An engine's URI taken apart: its scheme (which {@link EngineProvider} serves it), its location
 * (what follows the scheme up to the query: {@code ./data} of {@code file:./data}, {@code
 * //host:6379/0} of {@code redis://host:6379/0}) and its settings as query parameters ({@code
 * file:./data?sync=always&segment-bytes=64MiB}).
 *
 * <p>The typed readers ({@link #bytes}, {@link #duration}, ...) name the parameter and its value when
 * a value cannot be read. Sizes are bytes, optionally with a unit: {@code KiB}, {@code MiB}, {@code
 * GiB}, {@code TiB} (powers of 1024) or {@code KB}, {@code MB}, {@code GB}, {@code TB} (powers of
 * 1000). Durations are Go's ({@code 100ms}, {@code 2s}, {@code 1h30m}, {@code 0}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param scheme the scheme, lower case
 * @param location the raw (still percent-encoded) part between the scheme's colon and the query
 * @param parameters the query parameters, decoded, in the order given
 */
public record EngineUri(String scheme, String location, Map<String, String> parameters) {
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]i?B|B)?", Pattern.CASE_INSENSITIVE);

    /** Copies the parameters, keeping their order. */
    public EngineUri {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(location, "location");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Reads an engine URI.
     *
     * @throws IllegalArgumentException when the text has no scheme, is not URI syntax (a space must
     *     be {@code %20}), or repeats a parameter or gives one without {@code =}
     */
    public static EngineUri parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon <= 0 || !SCHEME.matcher(text.substring(0, colon)).matches()) {
            throw new IllegalArgumentException("engine URI '" + text
                    + "' has no scheme (expected scheme:location?parameters, e.g. file:./data or memory:)");
        }
        String rest = text.substring(colon + 1);
        if (!rest.isEmpty() && !rest.startsWith("?")) {
            try {
                new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("malformed engine URI '" + text + "': " + e.getMessage()
                        + " (characters such as spaces are written %20)");
            }
        }
        int q = rest.indexOf('?');
        String location = q < 0 ? rest : rest.substring(0, q);
        Map<String, String> parameters = new LinkedHashMap<>();
        if (q >= 0 && q + 1 < rest.length()) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(
                            "engine URI '" + text + "': parameter '" + decode(pair) + "' has no value (name=value)");
                }
                String name = decode(pair.substring(0, eq));
                String value = decode(pair.substring(eq + 1));
                if (parameters.putIfAbsent(name, value) != null) {
                    throw new IllegalArgumentException(
                            "engine URI '" + text + "' gives parameter '" + name + "' twice");
                }
            }
        }
        return new EngineUri(text.substring(0, colon).toLowerCase(Locale.ROOT), location, parameters);
    }

    /**
     * Takes {@code uri} apart: {@link #parse(String)} of its text.
     *
     * @throws IllegalArgumentException when it has no scheme, or repeats a parameter or gives one
     *     without {@code =}
     */
    public static EngineUri of(URI uri) {
        return parse(uri.toString());
    }

    /**
     * This URI with {@code more} parameters added.
     *
     * @throws IllegalArgumentException when a parameter is in both with different values, naming it
     *     and both values
     */
    public EngineUri with(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(parameters);
        more.forEach((name, value) -> {
            String had = merged.putIfAbsent(name, value);
            if (had != null && !had.equals(value)) {
                throw new IllegalArgumentException("engine parameter '" + name
                        + "' is given twice with different values: '" + had + "' and '" + value + "'");
            }
        });
        return new EngineUri(scheme, location, merged);
    }

    /** This URI without its parameters. */
    public EngineUri withoutParameters() {
        return new EngineUri(scheme, location, Map.of());
    }

    /** The location, percent-decoded. */
    public String decodedLocation() {
        return decode(location.replace("+", "%2B"));
    }

    /** The whole URI as a {@link URI}. @throws IllegalArgumentException when it is not valid syntax */
    public URI toUri() {
        return URI.create(toString());
    }

    /** A parameter's value, or empty when it is not given. */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    /**
     * A size parameter in bytes ({@code 4096}, {@code 64MiB}, {@code 1GB}).
     *
     * @throws IllegalArgumentException naming the parameter and its value when it is not a size
     */
    public Optional<Long> bytes(String name) {
        return parameter(name).map(v -> parseBytes(name, v));
    }

    /**
     * A duration parameter in Go's form ({@code 100ms}, {@code 2s}, {@code 1h30m}, {@code 0}).
     *
     * @throws IllegalArgumentException naming the parameter and its value when it is not a duration
     */
    public Optional<Duration> duration(String name) {
        return parameter(name).map(v -> parseDuration(name, v));
    }

    /**
     * A whole-number parameter.
     *
     * @throws IllegalArgumentException naming the parameter and its value when it is not a number
     */
    public Optional<Long> number(String name) {
        return parameter(name).map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "engine parameter " + name + "=" + v + " is not a whole number (" + scheme + ":)");
            }
        });
    }

    /**
     * An enum parameter, by its constant's name in any case with {@code -} for {@code _} ({@code
     * drop-oldest} for {@code DROP_OLDEST}).
     *
     * @throws IllegalArgumentException naming the parameter, its value and the values it takes
     */
    public <E extends Enum<E>> Optional<E> choice(String name, Class<E> type) {
        return parameter(name).map(v -> {
            String wanted = v.trim().replace('-', '_').toUpperCase(Locale.ROOT);
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(wanted)) {
                    return e;
                }
            }
            StringBuilder names = new StringBuilder();
            for (E e : type.getEnumConstants()) {
                names.append(names.isEmpty() ? "" : ", ").append(valueName(e));
            }
            throw new IllegalArgumentException("engine parameter " + name + "=" + v + " is not one of: " + names);
        });
    }

    /** How an enum constant is written as a parameter value: lower case, {@code -} for {@code _}. */
    public static String valueName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code scheme:location?name=value&...}, the parameters percent-encoded. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(scheme).append(':').append(location);
        char sep = '?';
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            out.append(sep).append(encode(p.getKey())).append('=').append(encode(p.getValue()));
            sep = '&';
        }
        return out.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad percent-encoding in engine URI part '" + text + "'");
        }
    }

    private static long parseBytes(String name, String value) {
        Matcher m = SIZE.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("engine parameter " + name + "=" + value
                    + " is not a size (bytes, or with a unit: 64MiB, 1GB, 512KiB)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("engine parameter " + name + "=" + value + " is too large");
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long factor = switch (unit) {
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "TIB" -> 1L << 40;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "TB" -> 1_000_000_000_000L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(n, factor);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("engine parameter " + name + "=" + value + " is too large");
        }
    }

    private static Duration parseDuration(String name, String value) {
        String text = value.trim();
        Duration d;
        try {
            d = GoDurations.parse(text);
        } catch (IllegalArgumentException e) {
            d = null;
        }
        if (d == null || d.isNegative() || text.startsWith("+")) {
            throw new IllegalArgumentException(
                    "engine parameter " + name + "=" + value + " is not a duration (e.g. 100ms, 2s, 1h30m, or 0)");
        }
        return d;
    }
}
