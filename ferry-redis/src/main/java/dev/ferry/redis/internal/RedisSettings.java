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
 * @param instances the Redis instances, Sentinel groups or one Cluster, in the order given; topics
 *     are spread over them by {@link Placement}
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
        List<RedisInstance> instances,
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
    /** The schemes of the engine, and of each instance in a list of them. */
    static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "redis-cluster");

    RedisSettings {
        instances = List.copyOf(instances);
    }

    /**
     * Reads {@code redis://}, {@code rediss://}, {@code redis-sentinel://} and {@code
     * redis-cluster://} URIs with their parameters, and lists of them separated by {@code ;}.
     *
     * @throws IllegalArgumentException naming what cannot be used
     */
    static RedisSettings parse(EngineUri uri) {
        Duration timeout = uri.duration(TIMEOUT).orElse(Duration.ofSeconds(5));
        if (timeout.isZero()) {
            throw new IllegalArgumentException(
                    "engine parameter timeout=0 would wait for ever; give a duration such as 5s");
        }
        // redis-sentinel://s1,s2/a;redis-sentinel://s3/b;redis://h:6379: a list of instances, each
        // part with a scheme of its own (the first one's is the URI's)
        List<RedisInstance> instances = new ArrayList<>();
        String[] parts = uri.location().split(";", -1);
        for (int i = 0; i < parts.length; i++) {
            String scheme = uri.scheme();
            String location = parts[i];
            if (i > 0) {
                int colon = location.indexOf(':');
                scheme = colon < 0 ? "" : location.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
                if (!SCHEMES.contains(scheme)) {
                    throw new IllegalArgumentException("engine URI '" + redacted(uri) + "': instance " + (i + 1)
                            + " of the list (after a ';') must start with redis://, rediss://, redis-sentinel:// or"
                            + " redis-cluster://");
                }
                location = location.substring(colon + 1);
            }
            instances.addAll(instances(scheme, location, uri, timeout));
        }
        if (instances.size() > 1 && instances.stream().anyMatch(RedisInstance::cluster)) {
            throw new IllegalArgumentException("engine URI '" + redacted(uri)
                    + "': a redis-cluster:// URI must be the only instance (the cluster spreads the topics itself)");
        }
        String prefix = uri.parameter(PREFIX).orElse("ferry");
        if (instances.get(0).cluster() && uri.number(WAIT_REPLICAS).orElse(0L) > 0) {
            throw new IllegalArgumentException("engine parameter wait-replicas is not supported with redis-cluster://"
                    + " (WAIT would not run on the connection that wrote the publish)");
        }
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

    /** The instances one part of the URI names ({@code scheme:location}, without parameters). */
    private static List<RedisInstance> instances(String scheme, String location, EngineUri uri, Duration timeout) {
        boolean sentinel = scheme.equals("redis-sentinel");
        if (!location.startsWith("//") || location.length() == 2) {
            throw new IllegalArgumentException("engine URI '" + redacted(uri) + "' names no Redis host" + " (expected "
                    + scheme + "://host:port" + (sentinel ? "/mymaster" : "") + ")");
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
            hosts.add(HostPort.parse(part, sentinel ? 26379 : 6379, uri));
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
        List<RedisInstance> instances = new ArrayList<>();
        if (sentinel) {
            String[] segments = path.split("/");
            String master = segments.length > 0 ? segments[0] : "";
            if (master.isEmpty()) {
                throw new IllegalArgumentException("engine URI '" + redacted(uri)
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
            instances.add(RedisInstance.single(b.withTimeout(timeout).build()));
        } else if (scheme.equals("redis-cluster")) {
            if (!path.isEmpty()) {
                throw new IllegalArgumentException("engine URI '" + redacted(uri)
                        + "': Redis Cluster has only database 0; remove '/" + path + "'");
            }
            List<RedisURI> seeds = new ArrayList<>();
            for (HostPort h : hosts) {
                RedisURI.Builder b = RedisURI.builder().withHost(h.host()).withPort(h.port());
                credentials(b, user, password);
                seeds.add(b.withTimeout(timeout).build());
            }
            instances.add(new RedisInstance(seeds, true));
        } else {
            int database = path.isEmpty() ? 0 : database(path, uri);
            for (HostPort h : hosts) {
                RedisURI.Builder b = RedisURI.builder()
                        .withHost(h.host())
                        .withPort(h.port())
                        .withDatabase(database)
                        .withSsl(scheme.equals("rediss"));
                credentials(b, user, password);
                instances.add(RedisInstance.single(b.withTimeout(timeout).build()));
            }
        }
        return instances;
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
        throw new IllegalArgumentException(
                "engine URI '" + redacted(uri) + "': the database '" + text + "' is not a number (0, 1, ...)");
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URI as shown in messages: every password replaced by {@code ***}. */
    static String redacted(EngineUri uri) {
        StringBuilder out = new StringBuilder(uri.scheme()).append(':');
        String[] parts = uri.location().split(";", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            int start = part.indexOf("//");
            int end = part.indexOf('/', start + 2);
            int at = part.lastIndexOf('@', end < 0 ? part.length() : end);
            if (start >= 0 && at > start) {
                String userInfo = part.substring(start + 2, at);
                int colon = userInfo.indexOf(':');
                String shown = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
                part = part.substring(0, start + 2) + shown + part.substring(at);
            }
            out.append(i == 0 ? "" : ";").append(part);
        }
        return out.toString();
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
                            "engine URI '" + redacted(uri) + "': '" + text + "' has no valid port (1-65535)");
                }
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException(
                        "engine URI '" + redacted(uri) + "' has an empty host in '" + text + "'");
            }
            return new HostPort(host, port);
        }
    }
}
