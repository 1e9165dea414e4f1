/**
 * Memory queues: one locked queue per definition, and their tables in an SQL database. Internal:
 * not for use outside Ferry; the API is {@link dev.ferry.mqueue.MemoryQueues}.
 */
package dev.ferry.mqueue.internal;
