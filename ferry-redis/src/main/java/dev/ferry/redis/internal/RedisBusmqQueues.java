package dev.ferry.redis.internal;

import dev.ferry.StorageException;
import dev.ferry.spi.BusmqQueues;
import io.lettuce.core.resource.ClientResources;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis engine's busmq queues, kept exactly as node busmq 3.1 keeps them ({@link BusmqKeys}),
 * on the instance busmq would choose ({@link BusmqPlacement}), so Ferry and node busmq services on
 * the same Redis share queues and channels. Opened on first use with connections of its own.
 *
 * <p>Thread-safe; see {@link BusmqQueues} for what blocks.
 */
final class RedisBusmqQueues implements BusmqQueues, AutoCloseable {
    private final BusmqPlacement placement;
    /** What must stop when the engine closes: attached queues' keep-alives, running consumers. */
    private final java.util.Set<AutoCloseable> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private RedisBusmqQueues(BusmqPlacement placement) {
        this.placement = placement;
    }

    /** Connects to every instance of {@code settings}; blocks until connected. */
    static RedisBusmqQueues open(RedisSettings settings, ClientResources resources, Clock clock) {
        List<BusmqInstance> instances = new ArrayList<>();
        try {
            for (RedisInstance instance : settings.instances()) {
                if (instance.cluster()) {
                    throw new StorageException(
                            "busmq queues are not offered on a Redis Cluster (busmq's own cluster layout is not"
                                    + " supported); use redis:// or redis-sentinel:// instances");
                }
                instances.add(BusmqInstance.open(instance.uris().get(0), settings, resources));
            }
        } catch (RuntimeException e) {
            instances.forEach(BusmqInstance::close);
            throw e;
        }
        return new RedisBusmqQueues(new BusmqPlacement(instances, clock));
    }

    @Override
    public Queue queue(String name) {
        return new RedisBusmqQueue(name, BusmqKeys.of(name), placement, running);
    }

    /** The address of the instance that holds {@code name} (busmq's choice), for tests and messages. */
    String addressOf(String name) {
        return placement.of(BusmqKeys.of(name).metadata()).address();
    }

    @Override
    public void close() {
        for (AutoCloseable r : List.copyOf(running)) {
            try {
                r.close();
            } catch (Exception e) {
                // closing: the connections go next anyway
            }
        }
        placement.all().forEach(BusmqInstance::close);
    }
}
