package dev.ferry.internal.engine;

/**
 * A channel's deliveries awaiting an answer (FIN, REQ, TOUCH), by deadline, so that the earliest
 * timeout is found at once and an answered delivery leaves in O(1). It counts the deliveries the
 * channel reports as in flight.
 *
 * <p>Deliveries made with the same timeout arrive in deadline order, so each of the first few
 * timeouts a channel sees gets a first-in-first-out {@link EntryRing}: adding is an append and an
 * answer clears a slot, where a binary heap paid O(log n) on both. A delivery whose deadline would
 * go below the last one of its ring (a touched lease, a clock that stepped back, or a timeout
 * beyond the first few) goes to an {@link EntryHeap} instead. The earliest deadline is the least
 * of the rings' heads and the heap's top.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class InFlightTable {
    /** Distinct timeouts that get a ring of their own; deliveries with others go to the heap. */
    private static final int MAX_RINGS = 4;

    private final EntryRing[] rings = new EntryRing[MAX_RINGS];
    private final long[] ringTimeouts = new long[MAX_RINGS];
    private int ringCount;
    private final EntryHeap heap = new EntryHeap();
    private int count;

    /** Adds a delivery of {@code e} made at {@code now} that times out {@code timeoutMillis} later. */
    void add(Entry e, long now, long timeoutMillis) {
        count++;
        place(e, now + timeoutMillis, timeoutMillis);
    }

    private void place(Entry e, long deadline, long timeoutMillis) {
        EntryRing ring = ringFor(timeoutMillis);
        if (ring != null && deadline >= ring.lastKey()) {
            ring.add(e, deadline);
            e.flightRing = ring;
        } else {
            heap.add(e, deadline);
        }
    }

    private EntryRing ringFor(long timeoutMillis) {
        for (int i = 0; i < ringCount; i++) {
            if (ringTimeouts[i] == timeoutMillis) {
                return rings[i];
            }
        }
        if (ringCount == MAX_RINGS) {
            return null;
        }
        ringTimeouts[ringCount] = timeoutMillis;
        return rings[ringCount++] = new EntryRing(EntryRing.Kind.DEADLINE);
    }

    /** Removes an answered delivery (FIN or REQ). */
    void answered(Entry e) {
        count--;
        unlink(e);
    }

    /** Removes {@code e} if it is in the table, without counting (it is being forgotten). */
    void discard(Entry e) {
        unlink(e);
    }

    private void unlink(Entry e) {
        EntryRing ring = e.flightRing;
        if (ring != null) {
            ring.remove(e);
            e.flightRing = null;
        } else {
            heap.remove(e);
        }
    }

    /** Moves the deadline of {@code e} to {@code now + timeoutMillis} (TOUCH). */
    void extend(Entry e, long now, long timeoutMillis) {
        unlink(e);
        place(e, now + timeoutMillis, timeoutMillis);
    }

    /** The earliest deadline, or Long.MAX_VALUE. */
    long nextDeadline() {
        long next = heap.peekTime();
        for (int i = 0; i < ringCount; i++) {
            next = Math.min(next, rings[i].firstKey());
        }
        return next;
    }

    /** Removes and returns a delivery whose deadline is at or before {@code now}, or null. */
    Entry pollExpired(long now) {
        Entry e = pollEarliest(now);
        if (e != null) {
            count--;
        }
        return e;
    }

    /** Removes and returns the delivery with the earliest deadline if that is at or before {@code now}. */
    private Entry pollEarliest(long now) {
        EntryRing earliest = null;
        long next = heap.peekTime();
        for (int i = 0; i < ringCount; i++) {
            long first = rings[i].firstKey();
            if (first < next) {
                next = first;
                earliest = rings[i];
            }
        }
        if (next > now) {
            return null;
        }
        if (earliest == null) {
            return heap.poll();
        }
        Entry e = earliest.pollFirst();
        e.flightRing = null;
        return e;
    }

    /**
     * Removes and returns any delivery, or null when none is left; the count stays, for the channel
     * that is dropping all of them (emptied or deleted) resets it itself.
     */
    Entry pollDropped() {
        if (!heap.isEmpty()) {
            return heap.poll();
        }
        for (int i = 0; i < ringCount; i++) {
            if (!rings[i].isEmpty()) {
                Entry e = rings[i].pollFirst();
                e.flightRing = null;
                return e;
            }
        }
        return null;
    }

    /** Deliveries in flight. */
    int count() {
        return count;
    }

    /** Gives back memory held since a peak of deliveries (housekeeping). */
    void trim() {
        for (int i = 0; i < ringCount; i++) {
            rings[i].trim();
        }
    }

    void clear() {
        heap.clear();
        for (int i = 0; i < ringCount; i++) {
            rings[i].forEach(e -> e.flightRing = null);
            rings[i].clear();
        }
        count = 0;
    }
}
