package dev.ferry.spi;

/**
 * How much disk an engine's data takes and how much its disk has left ({@link Engine#diskUsage()}).
 *
 * @param storedBytes bytes the topic logs hold now
 * @param freeBytes bytes the disk holding the data has left for this process, as the file system
 *     reports it when asked
 */
public record DiskUsage(long storedBytes, long freeBytes) {}
