package dev.ferry.redis.internal;

import dev.ferry.StorageException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;

/**
 * One Redis instance (or Sentinel group) as the busmq layout uses it: a connection for commands,
 * shared by every queue on it (Lettuce pipelines the calls of concurrent threads), and pub/sub
 * connections made on demand for consumers. busmq's values are text, so the codec is UTF-8.
 *
 * <p>Thread-safe. {@link #open} and {@link #close} block; a command blocks its caller for one round
 * trip, at most the engine's timeout.
 */
final class BusmqInstance implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisErrors errors;
    private final String address;

    private BusmqInstance(RedisClient client, StatefulRedisConnection<String, String> connection, String address) {
        this.client = client;
        this.connection = connection;
        this.address = address;
        this.errors = new RedisErrors(address);
    }

    /** Connects to {@code uri}; blocks until connected. */
    static BusmqInstance open(RedisURI uri, RedisSettings settings, ClientResources resources) {
        String address = RedisNode.address(RedisInstance.single(uri));
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
        try {
            return new BusmqInstance(client, client.connect(StringCodec.UTF8), address);
        } catch (RuntimeException e) {
            client.shutdown();
            throw new StorageException(
                    "cannot connect to Redis for busmq queues: "
                            + new RedisErrors(address).translate(e).getMessage(),
                    e);
        }
    }

    /** Where the instance is, for messages. */
    String address() {
        return address;
    }

    /** Runs {@code call} with the synchronous commands; a Redis failure becomes an error naming the instance. */
    <T> T call(java.util.function.Function<RedisCommands<String, String>, T> call) {
        try {
            return call.apply(connection.sync());
        } catch (RuntimeException e) {
            throw errors.translate(e);
        }
    }

    /** The asynchronous commands of the shared connection (failures untranslated: see {@link #translate}). */
    io.lettuce.core.api.async.RedisAsyncCommands<String, String> async() {
        return connection.async();
    }

    /** A new pub/sub connection (the caller closes it). */
    StatefulRedisPubSubConnection<String, String> pubSub() {
        return call(ignored -> client.connectPubSub(StringCodec.UTF8));
    }

    /** A translated error for {@code failure}. */
    RuntimeException translate(Throwable failure) {
        return errors.translate(failure);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
