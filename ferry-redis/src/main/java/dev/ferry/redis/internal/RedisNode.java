package dev.ferry.redis.internal;

import dev.ferry.StorageException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * One Redis instance (or Sentinel group) of the engine: its connections, the scripts run on it and
 * the names of its keys.
 *
 * <p>Every command of the data path goes over one connection, so Lettuce pipelines them (a command
 * is written without waiting for the answer to the one before) and Redis runs them in the order they
 * were issued: a consumer's registration is run before the claims issued after it, an ack before the
 * statistics asked for after it. Publishes that wait for replicas ({@code WAIT}) go over a second
 * connection, since {@code WAIT} holds its connection until the replicas answer.
 *
 * <p>Connections reconnect by themselves (through the sentinels after a failover); while one is
 * down, commands fail at once with an error naming the address, rather than queueing. Thread-safe;
 * nothing here blocks except {@link #open} and {@link #close}.
 */
final class RedisNode implements AutoCloseable {
    private final Connections connections;
    private final String address;
    private final RedisErrors errors;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final RedisClusterAsyncCommands<byte[], byte[]> publishCommands;
    private final byte[] registryKey;
    private final String prefix;
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> subscriber;

    private RedisNode(Connections connections, String address, String prefix) {
        this.connections = connections;
        this.address = address;
        this.errors = new RedisErrors(address);
        this.commands = connections.commands();
        this.publishCommands = connections.publishCommands();
        this.prefix = prefix;
        this.registryKey = (prefix + ":topics").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Connects to the instance {@code uri} names; blocks until connected or {@code settings.timeout()}
     * passed.
     *
     * @throws StorageException naming the address when it cannot be reached or refuses the password
     */
    static RedisNode open(RedisInstance instance, RedisSettings settings, ClientResources resources) {
        String address = address(instance);
        try {
            Connections connections = instance.cluster()
                    ? Connections.cluster(instance.uris(), settings, resources)
                    : Connections.single(instance.uris().get(0), settings, resources);
            return new RedisNode(connections, address, settings.prefix());
        } catch (RuntimeException e) {
            Throwable cause = rootCause(e);
            if (!(cause instanceof io.lettuce.core.RedisCommandExecutionException) && !instance.cluster()) {
                Throwable refused = CredentialsCheck.refusal(instance.uris().get(0), resources, settings.timeout());
                cause = refused != null ? refused : cause;
            }
            throw new StorageException(
                    "cannot open the Redis engine: "
                            + new RedisErrors(address).translate(cause).getMessage(),
                    e);
        }
    }

    /** What Redis said when connecting failed (a refused password), else the connection error. */
    private static Throwable rootCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.lettuce.core.RedisCommandExecutionException) {
                return t;
            }
        }
        return e;
    }

    /**
     * {@code host:port} of the instance, the sentinels and master name of a Sentinel group, or the
     * seed nodes of a cluster.
     */
    static String address(RedisInstance instance) {
        if (instance.cluster()) {
            StringBuilder out = new StringBuilder("the cluster of ");
            for (RedisURI seed : instance.uris()) {
                out.append(out.length() == 15 ? "" : ",")
                        .append(seed.getHost())
                        .append(':')
                        .append(seed.getPort());
            }
            return out.toString();
        }
        RedisURI uri = instance.uris().get(0);
        if (uri.getSentinels().isEmpty()) {
            return uri.getHost() + ":" + uri.getPort();
        }
        StringBuilder out = new StringBuilder();
        for (RedisURI s : uri.getSentinels()) {
            out.append(out.isEmpty() ? "" : ",").append(s.getHost()).append(':').append(s.getPort());
        }
        return "the master '" + uri.getSentinelMasterId() + "' of the sentinels " + out;
    }

    /** Where this instance is, for messages. */
    String address() {
        return address;
    }

    RedisErrors errors() {
        return errors;
    }

    /** The key prefix of {@code topic}: {@code <prefix>:{<topic>}}, one Cluster hash slot per topic. */
    byte[] topicKey(String topic) {
        return (prefix + ":{" + topic + "}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The set a script adds {@code topic}'s name to when it creates the topic: the instance's {@code
     * <prefix>:topics}, or on a cluster {@code <prefix>:{<topic>}:reg} (a script's keys must share
     * the topic's slot there; {@link #topics} finds them with {@code SCAN}).
     */
    private byte[] registryKey(String topic) {
        return connections.cluster() ? (prefix + ":{" + topic + "}:reg").getBytes(StandardCharsets.UTF_8) : registryKey;
    }

    /**
     * Runs {@code script} for {@code topic} with {@code args}; the stage completes on a Lettuce thread
     * with the script's answer, or exceptionally with an error naming this instance.
     */
    CompletableFuture<List<Object>> run(Script script, String topic, byte[]... args) {
        return run(commands, script, topic, args);
    }

    /** {@link #run} on the connection for publishes, then {@code WAIT} for {@code replicas}. */
    CompletableFuture<List<Object>> publish(String topic, int replicas, long waitMillis, byte[]... args) {
        CompletableFuture<List<Object>> stored = run(publishCommands, Script.PUBLISH, topic, args);
        if (replicas <= 0) {
            return stored;
        }
        CompletableFuture<Long> confirmed =
                publishCommands.waitForReplication(replicas, waitMillis).toCompletableFuture();
        return stored.thenCombine(confirmed, (answer, count) -> {
                    if (count < replicas) {
                        throw new StorageException("Redis at " + address + " stored the publish but only " + count
                                + " of the " + replicas + " replicas asked for (wait-replicas) confirmed it within "
                                + waitMillis + " ms; it may be lost if the master fails now");
                    }
                    return answer;
                })
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(errors.translate(e)));
    }

    private CompletableFuture<List<Object>> run(
            RedisClusterAsyncCommands<byte[], byte[]> async, Script script, String topic, byte[]... args) {
        byte[][] keys = {topicKey(topic), registryKey(topic)};
        CompletableFuture<List<Object>> result = new CompletableFuture<>();
        async.<Object>evalsha(script.sha(), ScriptOutputType.MULTI, keys, args).whenComplete((answer, failure) -> {
            if (failure == null) {
                result.complete(asList(answer));
            } else if (RedisErrors.unwrap(failure) instanceof RedisNoScriptException) {
                // the instance restarted or failed over and lost its script cache: send the text once
                async.<Object>eval(script.source(), ScriptOutputType.MULTI, keys, args)
                        .whenComplete((again, failed) -> {
                            if (failed == null) {
                                result.complete(asList(again));
                            } else {
                                result.completeExceptionally(errors.translate(failed));
                            }
                        });
            } else {
                result.completeExceptionally(errors.translate(failure));
            }
        });
        return result;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object answer) {
        if (answer instanceof List<?> list) {
            return (List<Object>) list;
        }
        return answer == null ? List.of() : List.of(answer);
    }

    /** The names of the topics this instance holds (its registry set). */
    CompletableFuture<List<String>> topics() {
        if (connections.cluster()) {
            return clusterTopics();
        }
        return commands.smembers(registryKey)
                .toCompletableFuture()
                .<List<String>>thenApply(members -> members.stream()
                        .map(m -> new String(m, StandardCharsets.UTF_8))
                        .toList())
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(errors.translate(e)));
    }

    /** The topics of a cluster: every {@code <prefix>:{<topic>}:reg} key, found with SCAN on each master. */
    private CompletableFuture<List<String>> clusterTopics() {
        String pattern = glob(prefix) + ":{*}:reg";
        int from = prefix.length() + 2;
        List<String> names = new java.util.ArrayList<>();
        return scan(ScanCursor.INITIAL, ScanArgs.Builder.matches(pattern).limit(1000), names)
                .<List<String>>thenApply(done -> names.stream()
                        .map(n -> n.substring(from, n.length() - 5))
                        .distinct()
                        .toList())
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(errors.translate(e)));
    }

    private CompletableFuture<Void> scan(ScanCursor cursor, ScanArgs args, List<String> into) {
        return commands.scan(cursor, args).toCompletableFuture().thenCompose(page -> {
            for (byte[] key : page.getKeys()) {
                into.add(new String(key, StandardCharsets.UTF_8));
            }
            return page.isFinished() ? CompletableFuture.completedFuture(null) : scan(page, args, into);
        });
    }

    /** {@code text} with Redis's glob characters escaped. */
    private static String glob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    /** Publishes {@code message} on the pub/sub channel {@code channel} (topology changes). */
    void announce(String channel, String message) {
        commands.publish(
                        (prefix + ":" + channel).getBytes(StandardCharsets.UTF_8),
                        message.getBytes(StandardCharsets.UTF_8))
                .exceptionally(e -> 0L);
    }

    /**
     * Subscribes {@code listener} to the pub/sub channel {@code channel} (once per node); Lettuce
     * subscribes again after a reconnect.
     */
    synchronized void listen(String channel, BiConsumer<String, String> listener) {
        if (subscriber != null) {
            return;
        }
        StatefulRedisPubSubConnection<byte[], byte[]> sub = connections.pubSub();
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] ch, byte[] message) {
                listener.accept(new String(ch, StandardCharsets.UTF_8), new String(message, StandardCharsets.UTF_8));
            }
        });
        sub.async().subscribe((prefix + ":" + channel).getBytes(StandardCharsets.UTF_8));
        subscriber = sub;
    }

    @Override
    public synchronized void close() {
        if (subscriber != null) {
            subscriber.close();
        }
        connections.close();
    }
}
