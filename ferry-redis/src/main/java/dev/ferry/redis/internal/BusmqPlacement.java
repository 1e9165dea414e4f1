package dev.ferry.redis.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which instance holds a busmq queue, chosen as node busmq 3.1 chooses it so that both agree: the
 * first instance (in the URI's order) where the queue's metadata key exists, so that instances can
 * be added; else the one at index (sum of the UTF-16 code units of {@code bus:queue:NAME:metadata})
 * modulo the number of instances. The choice is remembered for 10 minutes, as busmq does. (The
 * engine's topics use CRC-32 instead: see {@link Placement}.)
 *
 * <p>Thread-safe; a look-up blocks for one {@code EXISTS} per instance when it is not remembered.
 */
final class BusmqPlacement {
    /** How long a choice is remembered (busmq's connection cache). */
    static final Duration REMEMBER = Duration.ofMinutes(10);

    private final List<BusmqInstance> instances;
    private final Clock clock;
    private final Map<String, Choice> chosen = new ConcurrentHashMap<>();

    private record Choice(BusmqInstance instance, long until) {}

    BusmqPlacement(List<BusmqInstance> instances, Clock clock) {
        this.instances = List.copyOf(instances);
        this.clock = clock;
    }

    /** busmq's rule without the look-up: the index of the instance for {@code metadataKey} among {@code count}. */
    static int index(String metadataKey, int count) {
        long sum = 0;
        for (int i = 0; i < metadataKey.length(); i++) {
            sum += metadataKey.charAt(i);
        }
        return (int) (sum % count);
    }

    /** The instance of the queue whose metadata key is {@code metadataKey}. */
    BusmqInstance of(String metadataKey) {
        if (instances.size() == 1) {
            return instances.get(0);
        }
        long now = clock.millis();
        Choice c = chosen.get(metadataKey);
        if (c != null && c.until() > now) {
            return c.instance();
        }
        BusmqInstance found = null;
        for (BusmqInstance i : instances) {
            if (i.call(r -> r.exists(metadataKey)) > 0) {
                found = i;
                break;
            }
        }
        if (found == null) {
            found = instances.get(index(metadataKey, instances.size()));
        }
        chosen.put(metadataKey, new Choice(found, now + REMEMBER.toMillis()));
        return found;
    }

    /** Every instance, in the URI's order. */
    List<BusmqInstance> all() {
        return instances;
    }
}
