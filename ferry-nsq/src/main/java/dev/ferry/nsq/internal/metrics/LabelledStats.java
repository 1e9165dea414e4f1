package dev.ferry.nsq.internal.metrics;

import dev.ferry.ChannelStats;
import dev.ferry.TopicStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's statistics summed under their metric labels ({@link MetricLabels}): topics or
 * channels that share a label ({@code _ephemeral}, {@code _reply}, {@code _other}) add up.
 *
 * @param topics the sums per topic label
 * @param channels the sums per (topic label, channel label)
 */
record LabelledStats(Map<String, TopicSums> topics, Map<ChannelKey, ChannelSums> channels) {

    /** A channel's labels. */
    record ChannelKey(String topic, String channel) {}

    /** The sums of the topics under one label. */
    static final class TopicSums {
        long topics;
        long depth;
        long messages;
        long messageBytes;
        long storedBytes;
        long drops;
        long rejects;
        long paused;
    }

    /** The sums of the channels under one label pair. */
    static final class ChannelSums {
        long depth;
        long inFlight;
        long deferred;
        long messages;
        long requeues;
        long timeouts;
        long drops;
        long deadLetters;
        long consumers;
        long paused;
    }

    /** Sums {@code stats} under {@code labels}. */
    static LabelledStats of(List<TopicStats> stats, MetricLabels labels) {
        Map<String, TopicSums> topics = new LinkedHashMap<>();
        Map<ChannelKey, ChannelSums> channels = new LinkedHashMap<>();
        for (TopicStats t : stats) {
            String topicLabel = labels.topic(t.name());
            TopicSums ts = topics.computeIfAbsent(topicLabel, k -> new TopicSums());
            ts.topics++;
            ts.depth += t.depth();
            ts.messages += t.messageCount();
            ts.messageBytes += t.messageBytes();
            ts.storedBytes += t.storedBytes();
            ts.drops += t.dropCount();
            ts.rejects += t.rejectCount();
            ts.paused += t.paused() ? 1 : 0;
            for (ChannelStats c : t.channels()) {
                ChannelKey key = new ChannelKey(topicLabel, labels.channel(t.name(), c.name()));
                ChannelSums cs = channels.computeIfAbsent(key, k -> new ChannelSums());
                cs.depth += c.depth();
                cs.inFlight += c.inFlight();
                cs.deferred += c.deferred();
                cs.messages += c.messageCount();
                cs.requeues += c.requeueCount();
                cs.timeouts += c.timeoutCount();
                cs.drops += c.dropCount();
                cs.deadLetters += c.deadLetterCount();
                cs.consumers += c.consumers();
                cs.paused += c.paused() ? 1 : 0;
            }
        }
        return new LabelledStats(topics, channels);
    }
}
