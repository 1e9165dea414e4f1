package dev.ferry;

import java.util.List;

/**
 * A snapshot of one topic and its channels.
 *
 * @param name the topic name
 * @param depth messages the topic holds, not yet handed to any channel: while it has no channel
 *     (for the first one) or is paused (for its channels when the pause ends); 0 otherwise (as NSQ,
 *     where a running topic with channels hands its messages on at once)
 * @param messageCount messages published to the topic since the bus was opened (like nsqd's
 *     counters, not kept across restarts)
 * @param messageBytes body bytes published to the topic since the bus was opened
 * @param storedBytes bytes the topic's log occupies now
 * @param dropCount messages the topic held that were removed before reaching a channel: by
 *     retention (age or bytes), the ephemeral bound, or emptying the topic
 * @param rejectCount publishes refused by a limit
 * @param paused whether the topic is paused (messages stay in the topic)
 * @param ephemeral whether the topic lives in memory only
 * @param channels the channels, sorted by name
 * @param recovery what the embedded engine found damaged in the topic's log files since it opened
 *     ({@link RecoveryStats#NONE} for other engines and topics in memory)
 */
public record TopicStats(
        String name,
        long depth,
        long messageCount,
        long messageBytes,
        long storedBytes,
        long dropCount,
        long rejectCount,
        boolean paused,
        boolean ephemeral,
        List<ChannelStats> channels,
        RecoveryStats recovery) {

    /** Copies the channel list; a null {@code recovery} is {@link RecoveryStats#NONE}. */
    public TopicStats {
        channels = List.copyOf(channels);
        recovery = recovery == null ? RecoveryStats.NONE : recovery;
    }

    /** A topic whose files hold no damage ({@link RecoveryStats#NONE}). */
    public TopicStats(
            String name,
            long depth,
            long messageCount,
            long messageBytes,
            long storedBytes,
            long dropCount,
            long rejectCount,
            boolean paused,
            boolean ephemeral,
            List<ChannelStats> channels) {
        this(
                name,
                depth,
                messageCount,
                messageBytes,
                storedBytes,
                dropCount,
                rejectCount,
                paused,
                ephemeral,
                channels,
                RecoveryStats.NONE);
    }
}
