/**
 * The Redis engine's internals: not for use outside ferry-redis. {@link
 * dev.ferry.redis.internal.RedisEngineProvider} opens a {@link dev.ferry.redis.internal.RedisEngine}
 * from a URI; the engine keeps no message state of its own and runs each step of the data path as
 * one Lua script on the Redis instance that holds the topic.
 */
package dev.ferry.redis.internal;
