/**
 * Kamailio's memory queues: {@link dev.ferry.mqueue.MemoryQueues} holds named, bounded, in-process
 * key/value queues that drop their oldest item when full, optionally kept in a SQL table.
 */
package dev.ferry.mqueue;
