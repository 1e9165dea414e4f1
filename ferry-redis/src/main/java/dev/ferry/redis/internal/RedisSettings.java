package dev.ferry.redis.internal;

import dev.ferry.spi.EngineUri;
import io.lettuce.core.RedisURI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Redis engine's settings, read from its URI ({@link #parse}).
 *
 * @param name what the engine calls itself in messages: its URI without the password
 * @param instances the Redis instances (or Sentinel groups), in the order given; topics are spread
 *     over them by {@link Placement}
 * @param prefix the first part of every key ({@code ferry})
 * @param memQueueSize the bound of each ephemeral topic's or channel's ready messages; past it the
 *     oldest are dropped and counted
 * @param timeout how long a command may take before it fails (and how long connecting may take)
 * @param waitReplicas replicas that must confirm a publish before it completes (0: none, Redis's
 *     asynchronous replication)
 * @param waitTimeout how long a publish waits for those replicas before it fails
 * @param tick how often a node looks for work come due (deferrals, timeouts, other nodes' publishes)
 *     on the channels it has consumers on
 */
record RedisSettings(
        String name,
        List<RedisURI> instances,
        String prefix,
        int memQueueSize,
        Duration timeout,
        int waitReplicas,
        Duration waitTimeout,
        Duration tick) {

    static final String PREFIX = "prefix";
    static final String MEM_QUEUE_SIZE = "mem-queue-size";
    static final String TIMEOUT = "timeout";
    static final String WAIT_REPLICAS = "wait-replicas";
    static final String WAIT_TIMEOUT = "wait-timeout";
    static final String TICK = "tick";
    static final Set<String> PARAMETERS = Set.of(PREFIX, MEM_QUEUE_SIZE, TIMEOUT, WAIT_REPLICAS, WAIT_TIMEOUT, TICK);

    RedisSettings {
        instances = List.copyOf(instances);
    }

    /**
     * Reads {@code redis://}, {@code rediss://} and {@code redis-sentinel://} URIs with their
     * parameters.
     *
     * @throws IllegalArgumentException naming what cannot be used
     */
    static RedisSettings parse(EngineUri uri) {
        String location = uri.location();
        if (!location.startsWith("//") || location.length() == 2) {
            throw new IllegalArgumentException(
                    "engine URI '" + uri.withoutParameters() + "' names no Redis host" + " (expected " + uri.scheme()
                            + "://host:port" + (uri.scheme().equals("redis-sentinel") ? "/mymaster" : "") + ")");
        }
        String rest = location.substring(2);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        String userInfo = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
        }
        List<HostPort> hosts = new ArrayList<>();
        for (String part : authority.split(",")) {
            hosts.add(HostPort.parse(part, uri.scheme().equals("redis-sentinel") ? 26379 : 6379, uri));
        }
        String user = null;
        String password = null;
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
            if (colon < 0) { // redis://secret@host: the whole user info is the password, as redis-cli reads it
                password = user;
                user = null;
            }
            if (user != null && user.isEmpty()) {
                user = null;
            }
        }
        Duration timeout = uri.duration(TIMEOUT).orElse(Duration.ofSeconds(5));
        if (timeout.isZero()) {
            throw new IllegalArgumentException(
                    "engine parameter timeout=0 would wait for ever; give a duration such as 5s");
        }
        List<RedisURI> instances = new ArrayList<>();
        if (uri.scheme().equals("redis-sentinel")) {
            String[] segments = path.split("/");
            String master = segments.length > 0 ? segments[0] : "";
            if (master.isEmpty()) {
                throw new IllegalArgumentException("engine URI '" + uri.withoutParameters()
                        + "' names no master: redis-sentinel://host:26379,host:26380/mymaster");
            }
            RedisURI.Builder b = RedisURI.builder().withSentinelMasterId(master);
            for (HostPort h : hosts) {
                b.withSentinel(h.host(), h.port());
            }
            if (segments.length > 1) {
                b.withDatabase(database(segments[1], uri));
            }
            credentials(b, user, password);
            instances.add(b.withTimeout(timeout).build());
        } else {
            int database = path.isEmpty() ? 0 : database(path, uri);
            for (HostPort h : hosts) {
                RedisURI.Builder b = RedisURI.builder()
                        .withHost(h.host())
                        .withPort(h.port())
                        .withDatabase(database)
                        .withSsl(uri.scheme().equals("rediss"));
                credentials(b, user, password);
                instances.add(b.withTimeout(timeout).build());
            }
        }
        String prefix = uri.parameter(PREFIX).orElse("ferry");
        if (prefix.isEmpty() || prefix.contains("{") || prefix.contains("}")) {
            throw new IllegalArgumentException(
                    "engine parameter prefix=" + prefix + " must be non-empty and without braces");
        }
        long memQueueSize = uri.number(MEM_QUEUE_SIZE).orElse(10_000L);
        if (memQueueSize < 1 || memQueueSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "engine parameter mem-queue-size=" + memQueueSize + " must be at least 1");
        }
        long waitReplicas = uri.number(WAIT_REPLICAS).orElse(0L);
        if (waitReplicas < 0 || waitReplicas > 100) {
            throw new IllegalArgumentException(
                    "engine parameter wait-replicas=" + waitReplicas + " must be between 0 and 100");
        }
        Duration tick = uri.duration(TICK).orElse(Duration.ofMillis(50));
        if (tick.toMillis() < 1) {
            throw new IllegalArgumentException(
                    "engine parameter tick=" + uri.parameter(TICK).orElse("") + " must be at least 1ms");
        }
        return new RedisSettings(
                redacted(uri),
                instances,
                prefix,
                (int) memQueueSize,
                timeout,
                (int) waitReplicas,
                uri.duration(WAIT_TIMEOUT).orElse(Duration.ofSeconds(1)),
                tick);
    }

    private static void credentials(RedisURI.Builder b, String user, String password) {
        if (password != null && user != null) {
            b.withAuthentication(user, password);
        } else if (password != null) {
            b.withPassword(password.toCharArray());
        }
    }

    private static int database(String text, EngineUri uri) {
        try {
            int db = Integer.parseInt(text);
            if (db >= 0) {
                return db;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException("engine URI '" + uri.withoutParameters() + "': the database '" + text
                + "' is not a number (0, 1, ...)");
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URI as shown in messages: the password replaced by {@code ***}. */
    static String redacted(EngineUri uri) {
        String location = uri.location();
        int at = location.lastIndexOf('@');
        if (location.startsWith("//") && at > 0) {
            String userInfo = location.substring(2, at);
            int colon = userInfo.indexOf(':');
            String shown = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
            location = "//" + shown + location.substring(at);
        }
        return uri.scheme() + ":" + location;
    }

    /** One {@code host[:port]} of the URI. */
    private record HostPort(String host, int port) {
        static HostPort parse(String text, int defaultPort, EngineUri uri) {
            String host = text;
            int port = defaultPort;
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && !text.endsWith("]")) {
                host = text.substring(0, colon);
                try {
                    port = Integer.parseInt(text.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException(
                            "engine URI '" + uri.withoutParameters() + "': '" + text + "' has no valid port (1-65535)");
                }
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException(
                        "engine URI '" + uri.withoutParameters() + "' has an empty host in '" + text + "'");
            }
            return new HostPort(host, port);
        }
    }
}
