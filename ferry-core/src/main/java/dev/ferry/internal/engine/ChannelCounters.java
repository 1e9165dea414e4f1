package dev.ferry.internal.engine;

/**
 * A channel's running totals, as nsqd reports them: messages that entered the channel, requeues,
 * timeouts and drops. Written to each snapshot and restored from it.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class ChannelCounters {
    long messages;
    long requeues;
    long timeouts;
    long drops;
}
