package dev.ferry.async;

/**
 * What one async worker group holds and has done. A snapshot.
 *
 * @param name the group's name
 * @param workers its worker threads
 * @param queued tasks waiting for a worker now
 * @param capacity the most tasks that can wait
 * @param completed tasks that ran and returned
 * @param failed tasks that ran and threw
 * @param rejected tasks refused because the queue was full ({@code nonblock} groups only)
 */
public record AsyncGroupStats(
        String name, int workers, int queued, int capacity, long completed, long failed, long rejected) {}
