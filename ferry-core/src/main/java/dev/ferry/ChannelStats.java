package dev.ferry;

/**
 * A snapshot of one channel.
 *
 * @param name the channel name
 * @param depth messages ready to deliver (in flight and deferred ones not included, as NSQ)
 * @param inFlight messages delivered and not yet finished, requeued or timed out
 * @param deferred messages waiting for a due time (deferred publishes and delayed requeues)
 * @param messageCount messages that entered the channel, as nsqd counts them: every message its
 *     topic handed it, counted on arrival, whether delivered yet or not (a backlog counts, and so do
 *     messages later dropped by emptying the channel or by a limit); redeliveries do not count
 *     again. An engine that cannot tell arrivals counts deliveries. Channel counters are kept across
 *     restarts of an embedded bus
 * @param requeueCount requeues
 * @param timeoutCount in-flight timeouts
 * @param dropCount messages dropped by the channel's depth limit or its topic's retention
 * @param consumers connected consumers
 * @param paused whether delivery is paused
 * @param ephemeral whether the channel lives in memory only
 * @param deadLetter the channel's own dead-letter policy, set with {@link BusAdmin#setDeadLetter}
 *     ({@link DeadLetter#NONE} when unset)
 * @param deadLetterCount messages the engine moved to the dead-letter topic since the bus was
 *     opened (not kept across restarts)
 * @param recovery what the embedded engine found damaged in the channel's snapshot, journals and
 *     retry buckets since it opened ({@link RecoveryStats#NONE} for other engines)
 */
public record ChannelStats(
        String name,
        long depth,
        long inFlight,
        long deferred,
        long messageCount,
        long requeueCount,
        long timeoutCount,
        long dropCount,
        int consumers,
        boolean paused,
        boolean ephemeral,
        DeadLetter deadLetter,
        long deadLetterCount,
        RecoveryStats recovery) {

    /** A null {@code recovery} is {@link RecoveryStats#NONE}. */
    public ChannelStats {
        recovery = recovery == null ? RecoveryStats.NONE : recovery;
    }

    /** A channel whose files hold no damage ({@link RecoveryStats#NONE}). */
    public ChannelStats(
            String name,
            long depth,
            long inFlight,
            long deferred,
            long messageCount,
            long requeueCount,
            long timeoutCount,
            long dropCount,
            int consumers,
            boolean paused,
            boolean ephemeral,
            DeadLetter deadLetter,
            long deadLetterCount) {
        this(
                name,
                depth,
                inFlight,
                deferred,
                messageCount,
                requeueCount,
                timeoutCount,
                dropCount,
                consumers,
                paused,
                ephemeral,
                deadLetter,
                deadLetterCount,
                RecoveryStats.NONE);
    }
}
