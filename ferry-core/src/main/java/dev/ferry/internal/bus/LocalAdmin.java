package dev.ferry.internal.bus;

import dev.ferry.BusAdmin;
import dev.ferry.DeadLetter;
import dev.ferry.Names;
import dev.ferry.TopicStats;
import dev.ferry.spi.Engine;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link BusAdmin} over an engine: checks names, then delegates. */
final class LocalAdmin implements BusAdmin {
    private final Engine engine;

    LocalAdmin(Engine engine) {
        this.engine = engine;
    }

    @Override
    public List<TopicStats> topics() {
        return engine.stats();
    }

    @Override
    public Optional<TopicStats> topic(String topic) {
        return engine.stats(Names.checkTopic(topic));
    }

    @Override
    public void createTopic(String topic) {
        engine.createTopic(Names.checkTopic(topic));
    }

    @Override
    public void deleteTopic(String topic) {
        engine.deleteTopic(Names.checkTopic(topic));
    }

    @Override
    public void emptyTopic(String topic) {
        engine.emptyTopic(Names.checkTopic(topic));
    }

    @Override
    public void pauseTopic(String topic) {
        engine.setTopicPaused(Names.checkTopic(topic), true);
    }

    @Override
    public void unpauseTopic(String topic) {
        engine.setTopicPaused(Names.checkTopic(topic), false);
    }

    @Override
    public void createChannel(String topic, String channel) {
        engine.createChannel(Names.checkTopic(topic), Names.checkChannel(channel));
    }

    @Override
    public void deleteChannel(String topic, String channel) {
        engine.deleteChannel(Names.checkTopic(topic), Names.checkChannel(channel));
    }

    @Override
    public void emptyChannel(String topic, String channel) {
        engine.emptyChannel(Names.checkTopic(topic), Names.checkChannel(channel));
    }

    @Override
    public void pauseChannel(String topic, String channel) {
        engine.setChannelPaused(Names.checkTopic(topic), Names.checkChannel(channel), true);
    }

    @Override
    public void unpauseChannel(String topic, String channel) {
        engine.setChannelPaused(Names.checkTopic(topic), Names.checkChannel(channel), false);
    }

    @Override
    public void setDeadLetter(String topic, String channel, DeadLetter policy) {
        Objects.requireNonNull(policy, "policy");
        engine.setDeadLetter(Names.checkTopic(topic), Names.checkChannel(channel), policy);
    }
}
