package dev.ferry.nsq.internal.lookupd;

import dev.ferry.Names;

/**
 * One key of the registration database, as nsqlookupd keys it: a node ({@code client}, empty key and
 * subkey), a topic ({@code topic}, the topic, empty subkey) or a channel ({@code channel}, the topic,
 * the channel).
 *
 * @param category {@code client}, {@code topic} or {@code channel}
 * @param key the topic, or empty
 * @param subKey the channel, or empty
 */
record Registration(String category, String key, String subKey) {
    static final String CLIENT = "client";
    static final String TOPIC = "topic";
    static final String CHANNEL = "channel";

    /** The key every identified node is registered under. */
    static Registration client() {
        return new Registration(CLIENT, "", "");
    }

    static Registration topic(String topic) {
        return new Registration(TOPIC, topic, "");
    }

    static Registration channel(String topic, String channel) {
        return new Registration(CHANNEL, topic, channel);
    }

    /** Whether this key names an ephemeral channel, or an ephemeral topic itself. */
    boolean isEphemeral() {
        return switch (category) {
            case CHANNEL -> Names.isEphemeral(subKey);
            case TOPIC -> Names.isEphemeral(key);
            default -> false;
        };
    }

    /** Whether this key matches the pattern; {@code *} as key or subkey matches any. */
    boolean matches(String category, String key, String subKey) {
        return this.category.equals(category)
                && (key.equals("*") || this.key.equals(key))
                && (subKey.equals("*") || this.subKey.equals(subKey));
    }
}
