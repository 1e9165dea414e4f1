package dev.ferry.redis.internal;

import io.lettuce.core.RedisURI;
import java.util.List;

/**
 * One instance of the engine's URI: a Redis server or a Sentinel group (one URI), or a Redis Cluster
 * (the URIs of the nodes to ask for the cluster's layout).
 *
 * @param uris the server or Sentinel group, or the cluster's seed nodes
 * @param cluster whether this is a Redis Cluster, reached through Lettuce's cluster client
 */
record RedisInstance(List<RedisURI> uris, boolean cluster) {
    RedisInstance {
        uris = List.copyOf(uris);
    }

    /** A server or a Sentinel group. */
    static RedisInstance single(RedisURI uri) {
        return new RedisInstance(List.of(uri), false);
    }
}
