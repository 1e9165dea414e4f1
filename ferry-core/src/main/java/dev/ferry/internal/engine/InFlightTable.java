package dev.ferry.internal.engine;

/**
 * A channel's deliveries awaiting an answer (FIN, REQ, TOUCH), ordered by deadline so that the
 * earliest timeout is found at once and an answered delivery leaves in O(log n). It counts the
 * deliveries the channel reports as in flight.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class InFlightTable {
    private final EntryHeap heap = new EntryHeap();
    private int count;

    /** Adds a delivery of {@code e} that times out at {@code deadline} (ms). */
    void add(Entry e, long deadline) {
        e.deadline = deadline;
        count++;
        heap.add(e, deadline);
    }

    /** Removes an answered delivery (FIN or REQ). */
    void answered(Entry e) {
        count--;
        heap.remove(e);
    }

    /** Removes {@code e} if it is in the table, without counting (it is being forgotten). */
    void discard(Entry e) {
        heap.remove(e);
    }

    /** Moves the deadline of {@code e} (TOUCH). */
    void extend(Entry e, long deadline) {
        e.deadline = deadline;
        heap.change(e, deadline);
    }

    /** The earliest deadline, or Long.MAX_VALUE. */
    long nextDeadline() {
        return heap.peekTime();
    }

    /** Removes and returns a delivery whose deadline is at or before {@code now}, or null. */
    Entry pollExpired(long now) {
        if (heap.peekTime() > now) {
            return null;
        }
        count--;
        return heap.poll();
    }

    /**
     * Removes and returns any delivery, or null when none is left; the count stays, for the channel
     * that is dropping all of them (emptied or deleted) resets it itself.
     */
    Entry pollDropped() {
        return heap.poll();
    }

    /** Deliveries in flight. */
    int count() {
        return count;
    }

    void clear() {
        heap.clear();
        count = 0;
    }
}
