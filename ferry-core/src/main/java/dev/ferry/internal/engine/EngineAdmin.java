package dev.ferry.internal.engine;

import dev.ferry.DeadLetter;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.StorageException;
import dev.ferry.TopicStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The embedded engine's administration and statistics: creating, emptying, pausing and deleting
 * topics and channels, dead-letter policies, and the stats snapshots. {@link LocalEngine}'s public
 * methods of the same names delegate here.
 *
 * <p>Threading: any thread; each operation takes the topic's lock (and the registry's lock to
 * delete a topic), and tells consumers what changed after releasing it. Blocks on disk for the
 * files it writes (pause markers, dead-letter policies, deletions).
 */
final class EngineAdmin {
    private final TopicRegistry topics;
    private final Storage storage;

    EngineAdmin(TopicRegistry topics, Storage storage) {
        this.topics = topics;
        this.storage = storage;
    }

    void createTopic(String topic) {
        topics.onLiveTopic(topic, t -> t);
    }

    void deleteTopic(String name) {
        ConsumerNotices.reportExpired(topics.delete(name));
    }

    void emptyTopic(String name) {
        withTopic(name, TopicState::empty);
    }

    void setTopicPaused(String name, boolean paused) {
        List<ChannelState> listening = withTopic(name, topic -> {
            topic.setPaused(paused);
            storage.writePaused(topic, null, paused);
        });
        if (!paused) {
            ConsumerNotices.signal(listening);
        }
    }

    void createChannel(String topicName, String channel) {
        topics.onLiveTopic(topicName, topic -> topics.openChannel(topic, channel));
    }

    void deleteChannel(String topicName, String channel) {
        boolean[] deleteTopic = new boolean[1];
        TopicState topic = topics.existing(topicName);
        withTopic(topicName, t -> deleteTopic[0] = topics.deleteChannel(t, channel));
        if (deleteTopic[0]) {
            topics.deleteIfUnused(topic);
        }
    }

    void emptyChannel(String topicName, String channel) {
        withTopic(topicName, t -> t.emptyChannel(channel));
    }

    void setChannelPaused(String topicName, String channel, boolean paused) {
        List<ChannelState> listening = withTopic(topicName, t -> {
            ChannelState ch = channel(t, channel);
            ch.setPaused(paused);
            storage.writePaused(t, channel, paused);
        });
        if (!paused) {
            ConsumerNotices.signal(listening);
        }
    }

    void setDeadLetter(String topicName, String channel, DeadLetter policy) {
        String target = policy.enabled() ? policy.topicFor(topicName) : null;
        withTopic(topicName, t -> {
            ChannelState ch = channel(t, channel);
            storage.writeDeadLetter(t, ch, policy);
            ch.setDeadLetter(policy, target);
        });
    }

    private static ChannelState channel(TopicState topic, String channel) {
        ChannelState ch = topic.channel(channel);
        if (ch == null) {
            throw new NotFoundException("channel '" + channel + "' of topic '" + topic.name + "' not found");
        }
        return ch;
    }

    List<TopicStats> stats() {
        List<TopicState> all = topics.sorted();
        List<TopicStats> out = new ArrayList<>(all.size());
        for (TopicState topic : all) {
            topic.lock.lock();
            try {
                if (!topic.deleted()) {
                    out.add(topic.stats());
                }
            } finally {
                topic.lock.unlock();
            }
        }
        return out;
    }

    Optional<TopicStats> stats(String name) {
        if (!Names.isValid(name)) {
            return Optional.empty();
        }
        TopicState topic = topics.get(name);
        if (topic == null) {
            return Optional.empty();
        }
        topic.lock.lock();
        try {
            return topic.deleted() ? Optional.empty() : Optional.of(topic.stats());
        } finally {
            topic.lock.unlock();
        }
    }

    private interface TopicAction {
        void apply(TopicState topic) throws IOException;
    }

    /** Runs an action under the topic's lock; returns the channels with consumers afterwards. */
    private List<ChannelState> withTopic(String name, TopicAction action) {
        topics.ensureOpen();
        TopicState topic = topics.existing(name);
        List<LocalConsumer.Expiry> dropped;
        topic.lock.lock();
        try {
            if (topic.deleted()) {
                throw new NotFoundException("topic '" + name + "' not found");
            }
            action.apply(topic);
            return topic.listening();
        } catch (IOException e) {
            throw new StorageException("topic '" + name + "': " + e, e);
        } finally {
            // an emptied or deleted channel dropped its leases: their consumers hear it below
            dropped = topic.takeExpiries();
            topic.lock.unlock();
            ConsumerNotices.reportExpired(dropped);
        }
    }
}
