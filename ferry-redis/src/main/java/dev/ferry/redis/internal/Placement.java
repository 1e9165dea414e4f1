package dev.ferry.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Which instance holds a topic: the CRC-32 of the topic name's UTF-8 bytes modulo the number of
 * instances, counting them in the order the URI gives them. The same name always lands on the same
 * instance given the same list; adding or removing an instance moves most topics (their keys stay
 * behind on the old instance), so the list is part of the deployment, as it is in busmq.
 *
 * <p>Immutable and thread-safe.
 */
final class Placement {
    private final List<RedisNode> nodes;

    Placement(List<RedisNode> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** The index of {@code topic}'s instance among {@code count}. */
    static int index(String topic, int count) {
        CRC32 crc = new CRC32();
        crc.update(topic.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % count);
    }

    /** The instance that holds {@code topic}. */
    RedisNode of(String topic) {
        return nodes.get(index(topic, nodes.size()));
    }

    /** Every instance, in the URI's order. */
    List<RedisNode> all() {
        return nodes;
    }
}
