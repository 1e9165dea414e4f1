package dev.ferry.redis.internal;

import dev.ferry.StorageException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
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
    private final RedisClient client;
    private final String address;
    private final RedisErrors errors;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final StatefulRedisConnection<byte[], byte[]> publishConnection;
    private final byte[] registryKey;
    private final String prefix;
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> subscriber;

    private RedisNode(
            RedisClient client,
            String address,
            StatefulRedisConnection<byte[], byte[]> connection,
            StatefulRedisConnection<byte[], byte[]> publishConnection,
            String prefix) {
        this.client = client;
        this.address = address;
        this.errors = new RedisErrors(address);
        this.connection = connection;
        this.publishConnection = publishConnection;
        this.prefix = prefix;
        this.registryKey = (prefix + ":topics").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Connects to the instance {@code uri} names; blocks until connected or {@code settings.timeout()}
     * passed.
     *
     * @throws StorageException naming the address when it cannot be reached or refuses the password
     */
    static RedisNode open(RedisURI uri, RedisSettings settings, ClientResources resources) {
        String address = address(uri);
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(settings.timeout())
                        .keepAlive(true)
                        .build())
                .build());
        StatefulRedisConnection<byte[], byte[]> connection = null;
        try {
            connection = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisConnection<byte[], byte[]> publisher =
                    settings.waitReplicas() > 0 ? client.connect(ByteArrayCodec.INSTANCE) : connection;
            return new RedisNode(client, address, connection, publisher, settings.prefix());
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            client.shutdown();
            throw new StorageException(
                    "cannot open the Redis engine: "
                            + new RedisErrors(address).translate(rootCause(e)).getMessage(),
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

    /** {@code host:port} of the instance, or the sentinels and master name of a Sentinel group. */
    static String address(RedisURI uri) {
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
     * Runs {@code script} for {@code topic} with {@code args}; the stage completes on a Lettuce thread
     * with the script's answer, or exceptionally with an error naming this instance.
     */
    CompletableFuture<List<Object>> run(Script script, String topic, byte[]... args) {
        return run(connection, script, topic, args);
    }

    /** {@link #run} on the connection for publishes, then {@code WAIT} for {@code replicas}. */
    CompletableFuture<List<Object>> publish(String topic, int replicas, long waitMillis, byte[]... args) {
        CompletableFuture<List<Object>> stored = run(publishConnection, Script.PUBLISH, topic, args);
        if (replicas <= 0) {
            return stored;
        }
        CompletableFuture<Long> confirmed = publishConnection
                .async()
                .waitForReplication(replicas, waitMillis)
                .toCompletableFuture();
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
            StatefulRedisConnection<byte[], byte[]> on, Script script, String topic, byte[]... args) {
        byte[][] keys = {topicKey(topic), registryKey};
        RedisAsyncCommands<byte[], byte[]> async = on.async();
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
        return connection
                .async()
                .smembers(registryKey)
                .toCompletableFuture()
                .<List<String>>thenApply(members -> members.stream()
                        .map(m -> new String(m, StandardCharsets.UTF_8))
                        .toList())
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(errors.translate(e)));
    }

    /** Publishes {@code message} on the pub/sub channel {@code channel} (topology changes). */
    void announce(String channel, String message) {
        connection
                .async()
                .publish(
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
        StatefulRedisPubSubConnection<byte[], byte[]> sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
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
        if (publishConnection != connection) {
            publishConnection.close();
        }
        connection.close();
        client.shutdown();
    }
}
