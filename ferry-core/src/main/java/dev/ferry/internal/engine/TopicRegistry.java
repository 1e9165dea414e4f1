package dev.ferry.internal.engine;

import dev.ferry.FerryException;
import dev.ferry.NotFoundException;
import dev.ferry.StorageException;
import dev.ferry.spi.Engine.Registration;
import dev.ferry.spi.Engine.TopologyListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's topics by name: creating one on first use, looking one up, removing one, and telling
 * the topology watchers of every topic and channel created or deleted. It also holds whether the
 * engine is closed, since creating a topic must not race with closing.
 *
 * <p>Threading: lookups are lock-free; creating, removing and closing are serialised by one lock,
 * taken before a topic's lock, never after it. Watchers hear on the thread that made the change.
 */
final class TopicRegistry {
    private static final Logger log = LoggerFactory.getLogger(TopicRegistry.class);

    private final ConcurrentHashMap<String, TopicState> topics = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final List<TopologyListener> watchers = new CopyOnWriteArrayList<>();
    private final Storage storage;
    private final EngineLoops loops;
    private final SyncService sync;
    private volatile boolean closed;

    TopicRegistry(Storage storage, EngineLoops loops, SyncService sync) {
        this.storage = storage;
        this.loops = loops;
        this.sync = sync;
    }

    /** Adds a topic recovered from disk (before the engine serves anyone). */
    void addRecovered(TopicState topic) {
        topics.put(topic.name, topic);
        loops.add(topic);
    }

    /** The shard (engine loop) that times topic {@code name}. */
    int shardOf(String name) {
        return Math.floorMod(name.hashCode(), loops.shardCount());
    }

    boolean closed() {
        return closed;
    }

    /** Marks the engine closed; false when it already was. */
    boolean close() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new FerryException("the engine is closed");
        }
    }

    /** The topic, or null. */
    TopicState get(String name) {
        return topics.get(name);
    }

    boolean contains(String name) {
        return topics.containsKey(name);
    }

    boolean isEmpty() {
        return topics.isEmpty();
    }

    int size() {
        return topics.size();
    }

    Collection<TopicState> all() {
        return topics.values();
    }

    void clear() {
        topics.clear();
    }

    /** The topic, created (and reported) when missing. */
    TopicState getOrCreate(String name) {
        TopicState topic = topics.get(name);
        if (topic != null) {
            return topic;
        }
        synchronized (lock) {
            ensureOpen();
            topic = topics.get(name);
            if (topic == null) {
                try {
                    topic = storage.openTopic(name, shardOf(name), false);
                } catch (IOException e) {
                    throw new StorageException("cannot create topic '" + name + "': " + e, e);
                }
                topics.put(name, topic);
                loops.add(topic);
                String created = name;
                tell(w -> w.topicCreated(created));
            }
            return topic;
        }
    }

    /** The topic, or a {@link NotFoundException}. */
    TopicState existing(String name) {
        TopicState topic = topics.get(name);
        if (topic == null) {
            throw new NotFoundException("topic '" + name + "' not found");
        }
        return topic;
    }

    /** Work on a topic under its lock. */
    interface TopicFunction<T> {
        T apply(TopicState topic) throws IOException;
    }

    /** Runs {@code fn} on the topic, created when missing, retrying if it is deleted meanwhile. */
    <T> T onLiveTopic(String name, TopicFunction<T> fn) {
        ensureOpen();
        while (true) {
            TopicState topic = getOrCreate(name);
            topic.lock.lock();
            try {
                if (!topic.deleted()) {
                    return fn.apply(topic);
                }
            } catch (IOException e) {
                throw new StorageException("topic '" + name + "': " + e, e);
            } finally {
                topic.lock.unlock();
            }
        }
    }

    /** The channel, created (and reported) when missing; under the topic's lock. */
    ChannelState openChannel(TopicState topic, String channel) throws IOException {
        ChannelState existing = topic.channel(channel);
        if (existing != null) {
            return existing;
        }
        ChannelState created = topic.createChannel(channel);
        tell(w -> w.channelCreated(topic.name, channel));
        return created;
    }

    /** Deletes a channel and reports it; under the topic's lock. Whether the topic should go too. */
    boolean deleteChannel(TopicState topic, String channel) throws IOException {
        topic.deleteChannel(channel);
        tell(w -> w.channelDeleted(topic.name, channel));
        return topic.ephemeral && topic.channels().isEmpty();
    }

    /** Removes an ephemeral topic whose last channel went, unless one was created meanwhile. */
    void deleteIfUnused(TopicState topic) {
        synchronized (lock) {
            topic.lock.lock();
            try {
                if (topic.deleted() || !topic.channels().isEmpty()) {
                    return;
                }
                remove(topic);
            } finally {
                topic.lock.unlock();
            }
        }
    }

    /**
     * Deletes topic {@code name}: its leases are dropped, and the expiries to report (after the
     * lock) are returned, or null.
     */
    List<LocalConsumer.Expiry> delete(String name) {
        ensureOpen();
        List<LocalConsumer.Expiry> dropped;
        synchronized (lock) {
            TopicState topic = existing(name);
            topic.lock.lock();
            try {
                remove(topic);
            } finally {
                dropped = topic.takeExpiries();
                topic.lock.unlock();
            }
        }
        return dropped;
    }

    /** Removes a topic, under its lock; the caller reports {@link TopicState#takeExpiries}. */
    private void remove(TopicState topic) {
        for (ChannelState ch : topic.channels()) {
            ch.dropLeases();
            tell(w -> w.channelDeleted(topic.name, ch.name));
        }
        tell(w -> w.topicDeleted(topic.name));
        topic.markDeleted();
        topics.remove(topic.name, topic);
        loops.remove(topic);
        sync.remove(SyncService.LOG, topic.log());
        try {
            storage.deleteTopic(topic);
        } catch (IOException e) {
            throw new StorageException("cannot delete topic '" + topic.name + "': " + e, e);
        }
    }

    /** Adds a topology watcher. */
    Registration watch(TopologyListener listener) {
        Objects.requireNonNull(listener, "listener");
        watchers.add(listener);
        return () -> watchers.remove(listener);
    }

    /** Reports a change to every watcher; a watcher's failure is logged, the others still hear. */
    void tell(Consumer<TopologyListener> event) {
        for (TopologyListener w : watchers) {
            try {
                event.accept(w);
            } catch (RuntimeException e) {
                log.warn("a topology listener failed: {}", e.toString(), e);
            }
        }
    }

    /** The topics sorted by name (a copy). */
    List<TopicState> sorted() {
        List<TopicState> all = new ArrayList<>(topics.values());
        all.sort((a, b) -> a.name.compareTo(b.name));
        return all;
    }
}
