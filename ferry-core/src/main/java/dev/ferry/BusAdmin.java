package dev.ferry;

import java.util.List;
import java.util.Optional;

/**
 * Administration of a bus's topics and channels. Names are checked with {@link Names}; an operation
 * on a missing topic or channel (other than create) throws {@link NotFoundException}.
 *
 * <p>Thread-safe and blocking: every method waits on the calling thread until the engine (or the
 * broker) has answered, which an embedded engine does at once and an engine over the network after
 * a round trip; an interrupt while waiting throws a {@link FerryException} with the thread's
 * interrupt flag set again. Call it from the application's own threads. Do not call it from a
 * message handler or a listener of the bus when the answer could depend on that thread (for
 * instance an engine whose replies are handed to the bus's dispatch threads): the handler would wait
 * for itself. Ferry's own layers that run on an event loop or a dispatch thread use the engine's
 * asynchronous administration ({@link dev.ferry.spi.Engine}) instead.
 */
public interface BusAdmin {
    /** All topics with their channels, sorted by name. */
    List<TopicStats> topics();

    /** One topic's statistics, if it exists. */
    Optional<TopicStats> topic(String topic);

    /** Creates a topic; does nothing when it exists. */
    void createTopic(String topic);

    /** Deletes a topic with its channels and messages. */
    void deleteTopic(String topic);

    /** Removes every message the topic holds for a first channel; its channels are untouched. */
    void emptyTopic(String topic);

    /** Pauses a topic: published messages stay in the topic until it is unpaused. */
    void pauseTopic(String topic);

    /** Unpauses a topic. */
    void unpauseTopic(String topic);

    /**
     * Creates a channel (and its topic if needed); does nothing when it exists. A new channel
     * receives every message its topic still holds.
     */
    void createChannel(String topic, String channel);

    /** Deletes a channel and its messages. */
    void deleteChannel(String topic, String channel);

    /** Removes every ready, deferred and in-flight message of a channel. */
    void emptyChannel(String topic, String channel);

    /** Pauses delivery from a channel. */
    void pauseChannel(String topic, String channel);

    /** Unpauses a channel. */
    void unpauseChannel(String topic, String channel);

    /**
     * Sets a channel's dead-letter policy in the engine ({@link DeadLetter#NONE} removes it): a
     * message of the channel delivered {@code maxAttempts} times is not delivered again but published,
     * with its original body, to the dead-letter topic and finished on the channel; every consumer of
     * the channel is subject to it, whatever client it uses. The setting is kept with the channel
     * (across restarts of an embedded bus; an ephemeral channel keeps it while it exists), shown in
     * {@link ChannelStats#deadLetter()}, and each move is counted in {@link
     * ChannelStats#deadLetterCount()} and logged with the message's origin.
     *
     * @throws NotFoundException when the topic or channel does not exist
     * @throws IllegalArgumentException when the default dead-letter topic would be an invalid name
     *     (set one with {@link DeadLetter#to}) or the dead-letter topic is the topic itself
     */
    void setDeadLetter(String topic, String channel, DeadLetter policy);
}
