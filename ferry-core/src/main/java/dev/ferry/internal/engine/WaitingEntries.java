package dev.ferry.internal.engine;

import java.util.ArrayDeque;

/**
 * A channel's tracked messages that wait for a delivery: the ready ones in the order they became
 * ready (requeued, timed out, or due), and the deferred ones by due time, in an {@link EntryHeap}
 * so that a deferred message that is finished or dropped leaves at once.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class WaitingEntries {
    private final ArrayDeque<Entry> ready = new ArrayDeque<>();
    private final EntryHeap deferredHeap = new EntryHeap();
    private int deferred;

    /** Queues {@code e} for delivery, after the ready ones. */
    void addReady(Entry e) {
        e.state = Entry.READY;
        ready.addLast(e);
    }

    /** The next ready message, left in the queue, or null. */
    Entry peekReady() {
        return ready.peekFirst();
    }

    /** Removes and returns the next ready message, or null. */
    Entry pollReady() {
        return ready.pollFirst();
    }

    /**
     * Takes {@code e} out of the ready queue wherever it stands: a scan, for the rare drop of a
     * message that is not at the queue's head (one found unreadable while moved out of the log).
     */
    void removeReady(Entry e) {
        ready.removeFirstOccurrence(e);
    }

    boolean hasReady() {
        return !ready.isEmpty();
    }

    int readyCount() {
        return ready.size();
    }

    /** Holds {@code e} until its due time ({@code e.dueAt}). */
    void defer(Entry e) {
        e.state = Entry.DEFERRED;
        deferred++;
        deferredHeap.add(e, e.dueAt);
    }

    /** Removes {@code e} if it is deferred (it is being finished or dropped). */
    void forget(Entry e) {
        if (deferredHeap.size() > 0 && e.state == Entry.DEFERRED) {
            deferredHeap.remove(e);
            deferred--;
        }
    }

    /** When the earliest deferred message falls due, or Long.MAX_VALUE. */
    long nextDue() {
        return deferredHeap.peekTime();
    }

    /** Makes the earliest deferred message ready if it is due at {@code now}; whether one was. */
    boolean readyNextDue(long now) {
        if (deferredHeap.peekTime() > now) {
            return false;
        }
        Entry e = deferredHeap.poll();
        deferred--;
        addReady(e);
        return true;
    }

    /** Deferred messages held here (those in far retry buckets are not). */
    int deferredCount() {
        return deferred;
    }

    void clear() {
        ready.clear();
        deferredHeap.clear();
        deferred = 0;
    }
}
