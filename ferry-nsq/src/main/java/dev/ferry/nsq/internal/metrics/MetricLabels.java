package dev.ferry.nsq.internal.metrics;

import dev.ferry.Names;
import dev.ferry.Query;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code topic} and {@code channel} label values of the broker's metrics, bounded so that a
 * broker with thousands of short-lived topics keeps a small, fixed number of series:
 *
 * <ul>
 *   <li>every ephemeral topic or channel ({@code ...#ephemeral}) is labelled {@value #EPHEMERAL};
 *   <li>every request/reply topic ({@code ferry-reply-...}) is labelled {@value #REPLY};
 *   <li>the first {@code maxTopics} other topic names seen keep their own label, later ones share
 *       {@value #OTHER}; likewise the first {@code maxChannels} (topic, channel) pairs.
 * </ul>
 *
 * <p>A name that got its own label keeps it for the life of the broker (a deleted and recreated
 * topic does not move to {@value #OTHER}), so at most {@code maxTopics + 3} topic values and {@code
 * maxChannels + 3} channel values ever exist. The meters of labels that share a value add up.
 *
 * <p>Thread-safe and lock-free; the protocol calls it once per subscription, the metrics once per
 * topic and channel per scrape.
 */
public final class MetricLabels {
    /** The label of every ephemeral topic or channel. */
    public static final String EPHEMERAL = "_ephemeral";

    /** The label of every request/reply topic. */
    public static final String REPLY = "_reply";

    /** The label shared by the names past the bound. */
    public static final String OTHER = "_other";

    /** How many topic names get their own label by default. */
    public static final int DEFAULT_MAX_TOPICS = 1000;

    /** How many (topic, channel) pairs get their own channel label by default. */
    public static final int DEFAULT_MAX_CHANNELS = 2000;

    private final int maxTopics;
    private final int maxChannels;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final Set<String> channels = ConcurrentHashMap.newKeySet();

    /**
     * Labels with at most {@code maxTopics} topic names and {@code maxChannels} channel pairs of
     * their own.
     *
     * @throws IllegalArgumentException when a bound is negative
     */
    public MetricLabels(int maxTopics, int maxChannels) {
        if (maxTopics < 0 || maxChannels < 0) {
            throw new IllegalArgumentException("metric label bounds must be 0 or more, got " + maxTopics
                    + " topics and " + maxChannels + " channels");
        }
        this.maxTopics = maxTopics;
        this.maxChannels = maxChannels;
    }

    /** Labels with the default bounds. */
    public static MetricLabels defaults() {
        return new MetricLabels(DEFAULT_MAX_TOPICS, DEFAULT_MAX_CHANNELS);
    }

    /** The label of topic {@code name}. */
    public String topic(String name) {
        if (Names.isEphemeral(name)) {
            return EPHEMERAL;
        }
        if (name.startsWith(Query.REPLY_TOPIC_PREFIX)) {
            return REPLY;
        }
        return admitted(topics, name, maxTopics) ? name : OTHER;
    }

    /** The label of channel {@code channel} of topic {@code topic} (whose label is {@link #topic}). */
    public String channel(String topic, String channel) {
        if (Names.isEphemeral(channel)) {
            return EPHEMERAL;
        }
        String topicLabel = topic(topic);
        if (!topicLabel.equals(topic)) {
            return topicLabel; // the topic's own values already pool it
        }
        return admitted(channels, topic + '\u0000' + channel, maxChannels) ? channel : OTHER;
    }

    /** Whether {@code key} has, or now gets, a label of its own under the bound. */
    private static boolean admitted(Set<String> known, String key, int max) {
        if (known.contains(key)) {
            return true;
        }
        // a race may admit a few past the bound; the bound stays small all the same
        if (known.size() >= max) {
            return false;
        }
        known.add(key);
        return true;
    }
}
