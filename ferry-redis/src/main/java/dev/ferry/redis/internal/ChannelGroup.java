package dev.ferry.redis.internal;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The consumers this node has on one channel, and the flags that keep at most one timer check of
 * each kind in flight for the channel (so checks never pile up while Redis is slow or away).
 * Thread-safe.
 */
final class ChannelGroup {
    final String topic;
    final String channel;
    final Set<RedisConsumer> consumers = new CopyOnWriteArraySet<>();
    final AtomicBoolean peeking = new AtomicBoolean();
    final AtomicBoolean expiring = new AtomicBoolean();

    ChannelGroup(String topic, String channel) {
        this.topic = topic;
        this.channel = channel;
    }

    /** Tells every consumer that messages may be claimable. */
    void available() {
        for (RedisConsumer c : consumers) {
            c.signalAvailable();
        }
    }
}
