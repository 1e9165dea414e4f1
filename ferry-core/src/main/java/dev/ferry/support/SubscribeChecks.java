package dev.ferry.support;

import dev.ferry.Names;
import dev.ferry.SubscribeOptions;
import java.util.Objects;

/**
 * The argument checks every {@link dev.ferry.Bus} makes before it subscribes: valid topic and
 * channel names, a handler and options.
 *
 * <p>Threading: stateless; never blocks.
 */
public final class SubscribeChecks {
    private SubscribeChecks() {}

    /**
     * Throws when a name is invalid ({@link Names}) or {@code handler} (of either handler type) or
     * {@code options} is null.
     */
    public static void check(String topic, String channel, Object handler, SubscribeOptions options) {
        Names.checkTopic(topic);
        Names.checkChannel(channel);
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
    }
}
