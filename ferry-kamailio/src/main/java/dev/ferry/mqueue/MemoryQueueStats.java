package dev.ferry.mqueue;

/**
 * What one memory queue holds and what it has done since it was opened. A snapshot: consistent
 * within itself, stale as soon as it is returned.
 *
 * @param name the queue's name
 * @param size the items it holds now
 * @param limit its size limit (0: unbounded)
 * @param added adds that appended an item (including those that replaced one under {@link
 *     MemoryQueueDefinition.AddMode#REPLACE})
 * @param fetched items taken by fetches
 * @param dropped oldest items removed because an add went over the limit
 * @param keptExisting adds that did nothing because the key was present ({@link
 *     MemoryQueueDefinition.AddMode#KEEP_EXISTING})
 * @param replaced items removed because an add brought the same key ({@link
 *     MemoryQueueDefinition.AddMode#REPLACE})
 */
public record MemoryQueueStats(
        String name, int size, int limit, long added, long fetched, long dropped, long keptExisting, long replaced) {}
