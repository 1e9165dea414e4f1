package dev.ferry;

import java.util.Objects;

/**
 * When a message that keeps failing stops being retried, and where it goes: after {@code
 * maxAttempts} deliveries it is published, with its original body, to a dead-letter topic, and
 * finished on its own channel.
 *
 * <p>It is used in two places with the same meaning:
 *
 * <ul>
 *   <li>in a subscription ({@link SubscribeOptions#withDeadLetter}): the client moves a message
 *       whose handler failed on its last allowed attempt (or that arrives with more attempts than
 *       allowed, after timeouts), and logs its origin (topic, channel, id, attempts, last error);
 *   <li>on a channel of Ferry's engine ({@link BusAdmin#setDeadLetter}, or the broker's {@code POST
 *       /channel/dead-letter}): the engine moves a message whose attempts are used up instead of
 *       delivering it again, whichever client consumes (any NSQ client included); the setting is
 *       kept with the channel, and {@link ChannelStats#deadLetterCount()} counts the moves.
 * </ul>
 *
 * <p>The default dead-letter topic of topic {@code T} is {@code T.dead}, placed before an {@code
 * #ephemeral} suffix ({@code T.dead#ephemeral}); a topic name long enough that this would break
 * NSQ's 64-character rule needs an explicit topic ({@link #to}).
 *
 * @param maxAttempts the deliveries a message gets before it goes to the dead-letter topic; 0 means
 *     no dead-letter policy ({@link #NONE})
 * @param topic the dead-letter topic, or {@code null} for the default {@code <topic>.dead}
 */
public record DeadLetter(int maxAttempts, String topic) {
    /** No dead-letter policy: failing messages are retried for ever. */
    public static final DeadLetter NONE = new DeadLetter(0, null);

    /** What the default dead-letter topic adds to the topic's name. */
    public static final String DEFAULT_SUFFIX = ".dead";

    /**
     * Validates the values.
     *
     * @throws IllegalArgumentException when {@code maxAttempts} is negative, or a topic is given
     *     without attempts
     * @throws InvalidNameException when {@code topic} is not a valid topic name
     */
    public DeadLetter {
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must not be negative, got " + maxAttempts);
        }
        if (topic != null) {
            Names.checkTopic(topic);
            if (maxAttempts == 0) {
                throw new IllegalArgumentException(
                        "a dead-letter topic ('" + topic + "') needs maxAttempts of at least 1");
            }
        }
    }

    /**
     * Dead-letters a message after {@code maxAttempts} deliveries, to the default topic.
     *
     * @throws IllegalArgumentException when {@code maxAttempts} is below 1
     */
    public static DeadLetter after(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        return new DeadLetter(maxAttempts, null);
    }

    /** A copy that sends to {@code deadLetterTopic} instead of the default. */
    public DeadLetter to(String deadLetterTopic) {
        return new DeadLetter(maxAttempts, Objects.requireNonNull(deadLetterTopic, "deadLetterTopic"));
    }

    /** Whether this is a policy at all (not {@link #NONE}). */
    public boolean enabled() {
        return maxAttempts > 0;
    }

    /** Whether a message delivered {@code attempts} times has used up its attempts. */
    public boolean exhausted(int attempts) {
        return enabled() && attempts >= maxAttempts;
    }

    /**
     * The dead-letter topic for messages of {@code sourceTopic}: the explicit one, else {@code
     * <sourceTopic>.dead} before any {@code #ephemeral} suffix.
     *
     * @throws IllegalStateException for {@link #NONE}
     * @throws IllegalArgumentException when the default name would be invalid (over 64
     *     characters), or the dead-letter topic is the source topic itself
     */
    public String topicFor(String sourceTopic) {
        Names.checkTopic(sourceTopic);
        if (!enabled()) {
            throw new IllegalStateException("no dead-letter policy");
        }
        String name = topic;
        if (name == null) {
            boolean ephemeral = Names.isEphemeral(sourceTopic);
            String base = ephemeral
                    ? sourceTopic.substring(0, sourceTopic.length() - Names.EPHEMERAL_SUFFIX.length())
                    : sourceTopic;
            name = base + DEFAULT_SUFFIX + (ephemeral ? Names.EPHEMERAL_SUFFIX : "");
            if (!Names.isValid(name)) {
                throw new IllegalArgumentException("the default dead-letter topic of '"
                        + sourceTopic
                        + "' would be '"
                        + name
                        + "' ("
                        + name.length()
                        + " characters, over the limit of "
                        + Names.MAX_LENGTH
                        + "); name one explicitly with DeadLetter.after("
                        + maxAttempts
                        + ").to(...)");
            }
        }
        if (name.equals(sourceTopic)) {
            throw new IllegalArgumentException(
                    "the dead-letter topic of '" + sourceTopic + "' cannot be the topic itself");
        }
        return name;
    }
}
