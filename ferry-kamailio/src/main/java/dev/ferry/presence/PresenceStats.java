package dev.ferry.presence;

/**
 * What a {@link PresenceConsumer} has done since it started. A snapshot; each count only grows.
 *
 * @param written events written to the presentity table (committed)
 * @param transactions transactions committed (several events share one when they queue up)
 * @param ignored events that are not presence updates this consumer handles ({@code Event-Name}
 *     other than {@code update}, or an unknown {@code Event-Package}); finished, nothing written
 * @param deadLettered malformed events moved to the dead-letter topic
 * @param requeued events requeued because the database failed (each retry counts again)
 */
public record PresenceStats(long written, long transactions, long ignored, long deadLettered, long requeued) {}
