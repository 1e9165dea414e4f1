package dev.ferry.nsq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Federation on a broker's HTTP (and HTTPS) port: a WebSocket at {@code path} that carries NSQ's
 * protocol V2 in binary frames, open to the peers that prove they hold one of {@code secrets}.
 *
 * <p>Before any NSQ byte, the broker sends a fresh random nonce in a text frame; the peer answers
 * with the name of its secret and HMAC-SHA256 under the secret of the nonce and the path; the broker
 * checks it against the named secret and then serves the V2 protocol, letting the peer touch only
 * what the secret names. A nonce is used once and belongs to one connection, so a captured answer
 * is worth nothing on another. docs/FEDERATION.md describes the exchange byte by byte.
 *
 * <p>Immutable; {@link #toString()} never shows a secret.
 *
 * @param path the WebSocket's path on the HTTP port ({@code /federate} by default)
 * @param secrets the secrets accepted, at least one, names unique
 * @param pingInterval how long a federated link may stay silent before the broker sends a WebSocket
 *     ping, so idle proxies keep it open (20 s by default)
 * @param challengeTimeout how long a peer has to answer the challenge (10 s by default)
 */
public record FederationSettings(
        String path, List<FederationSecret> secrets, Duration pingInterval, Duration challengeTimeout) {
    /** The default path of the federation WebSocket. */
    public static final String DEFAULT_PATH = "/federate";

    /**
     * Validates and copies the settings.
     *
     * @throws IllegalArgumentException naming the setting and what is wrong with it
     */
    public FederationSettings {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || path.contains("?") || path.length() < 2) {
            throw new IllegalArgumentException(
                    "the federation path must start with / and name a path, got \"" + path + '"');
        }
        secrets = List.copyOf(secrets);
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("federation needs at least one secret");
        }
        Set<String> names = new HashSet<>();
        for (FederationSecret s : secrets) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("two federation secrets are named \"" + s.name() + '"');
            }
        }
        Check.positive("pingInterval", pingInterval);
        Check.positive("challengeTimeout", challengeTimeout);
    }

    /** Federation at {@link #DEFAULT_PATH} for {@code secrets}, pings every 20 s, 10 s to answer. */
    public static FederationSettings of(List<FederationSecret> secrets) {
        return new FederationSettings(DEFAULT_PATH, secrets, Duration.ofSeconds(20), Duration.ofSeconds(10));
    }

    /** A copy with another ping interval. */
    public FederationSettings withPingInterval(Duration value) {
        return new FederationSettings(path, secrets, value, challengeTimeout);
    }

    /** The secret named {@code name}, or null. */
    public FederationSecret secret(String name) {
        for (FederationSecret s : secrets) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Reads the secrets from {@code file}: one secret a line, {@code NAME ACCESS PATTERNS SECRET}
     * separated by blanks, where ACCESS is {@code read}, {@code write} or {@code rw} and PATTERNS a
     * comma-separated list; blank lines and lines starting with {@code #} are skipped.
     *
     * <pre>
     * # name   access  patterns             secret
     * site-b   rw      orders.*,replies.*   9f2c1e...long-random...
     * </pre>
     *
     * @throws IllegalArgumentException naming the file and line when it cannot be read or a line is wrong
     */
    public static FederationSettings load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read the federation secrets file " + file + ": " + e.getMessage(), e);
        }
        List<FederationSecret> secrets = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            String[] fields = line.split("\\s+");
            if (fields.length != 4) {
                throw new IllegalArgumentException(
                        where + ": expected NAME ACCESS PATTERNS SECRET, got " + fields.length + " fields");
            }
            try {
                secrets.add(
                        new FederationSecret(fields[0], fields[3], access(fields[1]), List.of(fields[2].split(","))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("the federation secrets file " + file + " holds no secret");
        }
        return of(secrets);
    }

    private static FederationSecret.Access access(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "read" -> FederationSecret.Access.READ;
            case "write" -> FederationSecret.Access.WRITE;
            case "rw", "readwrite", "read-write" -> FederationSecret.Access.READ_WRITE;
            default -> throw new IllegalArgumentException("access must be read, write or rw, got \"" + word + '"');
        };
    }
}
