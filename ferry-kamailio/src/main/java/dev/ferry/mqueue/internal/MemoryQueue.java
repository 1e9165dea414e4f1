package dev.ferry.mqueue.internal;

import dev.ferry.FerryException;
import dev.ferry.mqueue.MemoryQueueDefinition;
import dev.ferry.mqueue.MemoryQueueDefinition.AddMode;
import dev.ferry.mqueue.MemoryQueueItem;
import dev.ferry.mqueue.MemoryQueueStats;
import dev.ferry.mqueue.MemoryQueues.AddResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One memory queue: a FIFO of key/value items under one lock, with the size limit applied after
 * each append (drop oldest) and Kamailio's add modes.
 *
 * <p>Why one lock and not a lock-free queue: an add must append <em>and</em> trim to the limit
 * atomically, and add modes 1 and 2 must look the key up and act on it atomically; the critical
 * sections are a few pointer moves, so a single uncontended-most-of-the-time lock is as fast as the
 * alternatives (see {@code MemoryQueueBenchmark}, which compares it with {@link
 * java.util.concurrent.ArrayBlockingQueue}).
 *
 * <p>Storage: with {@link AddMode#APPEND} keys may repeat, so the items are an {@link ArrayDeque};
 * with the other modes a key is in the queue at most once, so an insertion-ordered map from key to
 * item gives O(1) lookup, removal from the middle and append.
 *
 * <p>Thread-safe; no method blocks beyond the lock. After {@link #close()} every operation throws.
 */
public final class MemoryQueue {
    private final MemoryQueueDefinition definition;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<MemoryQueueItem> items; // APPEND
    private final LinkedHashMap<String, MemoryQueueItem> byKey; // KEEP_EXISTING, REPLACE
    private boolean closed;
    private long added;
    private long fetched;
    private long dropped;
    private long keptExisting;
    private long replaced;

    /** An empty, open queue for {@code definition}. */
    public MemoryQueue(MemoryQueueDefinition definition) {
        this.definition = definition;
        boolean keyed = definition.addMode() != AddMode.APPEND;
        this.items = keyed ? null : new ArrayDeque<>();
        this.byKey = keyed ? new LinkedHashMap<>() : null;
    }

    /** The queue's definition. */
    public MemoryQueueDefinition definition() {
        return definition;
    }

    /** The queue's name. */
    public String name() {
        return definition.name();
    }

    /**
     * Appends (or, per the add mode, keeps or replaces), then drops the oldest items while over the
     * limit.
     *
     * @throws dev.ferry.FerryException after {@link #close()}
     */
    public AddResult add(MemoryQueueItem item) {
        lock.lock();
        try {
            checkOpen();
            AddResult result = AddResult.ADDED;
            int size;
            if (items != null) {
                items.addLast(item);
                size = items.size();
            } else {
                MemoryQueueItem old = byKey.get(item.key());
                if (old != null) {
                    if (definition.addMode() == AddMode.KEEP_EXISTING) {
                        keptExisting++;
                        return AddResult.KEPT_EXISTING;
                    }
                    byKey.remove(item.key()); // so the put below appends at the tail
                    replaced++;
                    result = AddResult.REPLACED;
                }
                byKey.put(item.key(), item);
                size = byKey.size();
            }
            added++;
            if (definition.bounded()) {
                for (; size > definition.size(); size--) {
                    removeFirst();
                    dropped++;
                }
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes and returns the oldest item, or null when empty.
     *
     * @throws dev.ferry.FerryException after {@link #close()}
     */
    public MemoryQueueItem fetch() {
        lock.lock();
        try {
            checkOpen();
            MemoryQueueItem item = removeFirst();
            if (item != null) {
                fetched++;
            }
            return item;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The number of items.
     *
     * @throws dev.ferry.FerryException after {@link #close()}
     */
    public int size() {
        lock.lock();
        try {
            checkOpen();
            return sizeLocked();
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the size and counters (also after close). */
    public MemoryQueueStats stats() {
        lock.lock();
        try {
            return new MemoryQueueStats(
                    name(), sizeLocked(), definition.size(), added, fetched, dropped, keptExisting, replaced);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the queue and returns what it held, oldest first. Later calls return an empty list. */
    public List<MemoryQueueItem> close() {
        lock.lock();
        try {
            if (closed) {
                return List.of();
            }
            closed = true;
            List<MemoryQueueItem> left = new ArrayList<>(items != null ? items : byKey.values());
            if (items != null) {
                items.clear();
            } else {
                byKey.clear();
            }
            return left;
        } finally {
            lock.unlock();
        }
    }

    private int sizeLocked() {
        return items != null ? items.size() : byKey.size();
    }

    private MemoryQueueItem removeFirst() {
        if (items != null) {
            return items.pollFirst();
        }
        Map.Entry<String, MemoryQueueItem> first = byKey.pollFirstEntry();
        return first == null ? null : first.getValue();
    }

    private void checkOpen() {
        if (closed) {
            throw new FerryException("memory queue \"" + name() + "\" is closed");
        }
    }
}
