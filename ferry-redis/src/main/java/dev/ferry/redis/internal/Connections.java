package dev.ferry.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;

/**
 * The Lettuce client and connections of one instance of the engine: a server or Sentinel group
 * ({@link RedisClient}), or a Redis Cluster ({@link RedisClusterClient}, which sends each command to
 * the master of its key's slot and follows the cluster's layout as it changes). Both give the same
 * asynchronous commands, so {@link RedisNode} does not care which.
 *
 * <p>The data path goes over one connection (so Lettuce pipelines it and Redis runs it in order);
 * publishes that wait for replicas get a second one, since {@code WAIT} holds its connection.
 * Thread-safe; {@link #cluster}, {@link #single} and {@link #close} block.
 */
final class Connections implements AutoCloseable {
    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> main;
    private final StatefulConnection<byte[], byte[]> publisher;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final RedisClusterAsyncCommands<byte[], byte[]> publishCommands;
    private final boolean cluster;

    private Connections(
            AbstractRedisClient client,
            StatefulConnection<byte[], byte[]> main,
            RedisClusterAsyncCommands<byte[], byte[]> commands,
            StatefulConnection<byte[], byte[]> publisher,
            RedisClusterAsyncCommands<byte[], byte[]> publishCommands,
            boolean cluster) {
        this.client = client;
        this.main = main;
        this.commands = commands;
        this.publisher = publisher;
        this.publishCommands = publishCommands;
        this.cluster = cluster;
    }

    /** Connects to a server or Sentinel group; blocks until connected. */
    static Connections single(RedisURI uri, RedisSettings settings, ClientResources resources) {
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .socketOptions(socketOptions(settings.timeout()))
                .build());
        StatefulRedisConnection<byte[], byte[]> connection = null;
        try {
            connection = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisConnection<byte[], byte[]> publisher =
                    settings.waitReplicas() > 0 ? client.connect(ByteArrayCodec.INSTANCE) : connection;
            return new Connections(client, connection, connection.async(), publisher, publisher.async(), false);
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            client.shutdown();
            throw e;
        }
    }

    /**
     * Connects to the Redis Cluster {@code seeds} belong to; blocks until its layout is known. The
     * layout is read again when a node answers {@code MOVED} or a connection drops (a failover), at
     * most once a second.
     */
    static Connections cluster(List<RedisURI> seeds, RedisSettings settings, ClientResources resources) {
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                // the connection to each master opens when its first command is sent, so commands wait for
                // it (and for a reconnect) up to the timeout rather than being refused
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .socketOptions(socketOptions(settings.timeout()))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        // adaptive refresh (on MOVED, reconnects, unknown nodes) is on by default
                        .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                        .build())
                .build());
        try {
            StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
            return new Connections(client, connection, connection.async(), connection, connection.async(), true);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    private static SocketOptions socketOptions(Duration timeout) {
        return SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build();
    }

    /** Whether this is a Redis Cluster. */
    boolean cluster() {
        return cluster;
    }

    /** The commands of the data path. */
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return commands;
    }

    /** The commands for publishes (a connection of their own when they wait for replicas). */
    RedisClusterAsyncCommands<byte[], byte[]> publishCommands() {
        return publishCommands;
    }

    /** A new pub/sub connection (on a cluster, messages published on any node reach it). */
    StatefulRedisPubSubConnection<byte[], byte[]> pubSub() {
        return client instanceof RedisClusterClient c
                ? c.connectPubSub(ByteArrayCodec.INSTANCE)
                : ((RedisClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
    }

    @Override
    public void close() {
        if (publisher != main) {
            publisher.close();
        }
        main.close();
        client.shutdown();
    }
}
