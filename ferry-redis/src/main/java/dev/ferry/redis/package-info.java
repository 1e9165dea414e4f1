/**
 * Ferry's engine on Redis: every Ferry node (an embedded {@link dev.ferry.Bus} or {@code ferry
 * server}) keeps its topics and channels in one or more Redis instances instead of on its own disk,
 * so that any node serves any topic and a node can die without losing what it acknowledged.
 *
 * <p>The engine is opened by URI through {@link dev.ferry.spi.Engines} (this module lists its
 * {@link dev.ferry.spi.EngineProvider} for {@link java.util.ServiceLoader}):
 *
 * <ul>
 *   <li>{@code redis://[user:password@]host[:port][/database]}: one Redis instance;
 *   <li>{@code rediss://...}: the same over TLS;
 *   <li>{@code redis://host1:6379,host2:6380}: several instances, topics spread over them by a
 *       stable rule on the topic name;
 *   <li>{@code redis-sentinel://[:password@]host:26379,host:26380/mymaster}: the master of a
 *       Sentinel-managed group, found again through the sentinels after a failover.
 * </ul>
 *
 * <p>The parameters ({@code ?name=value&...}) are {@code prefix}, {@code mem-queue-size}, {@code
 * timeout}, {@code wait-replicas} and {@code wait-timeout}; {@code docs/REDIS.md} describes them
 * with the data model kept in Redis. The module's classes live in {@code dev.ferry.redis.internal}:
 * an application touches only the URI.
 */
package dev.ferry.redis;
