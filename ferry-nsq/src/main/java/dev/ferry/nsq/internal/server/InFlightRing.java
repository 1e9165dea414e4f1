package dev.ferry.nsq.internal.server;

import dev.ferry.spi.Lease;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import java.util.function.Consumer;

/**
 * The messages in flight to one connection, in the order they were delivered, found by message id.
 *
 * <p>Why not a hash map: a consumer finishes messages mostly in the order it got them, and a hash
 * map pays for a hashed insert per delivery and a hashed remove (with its key shifting) per FIN. This
 * table is a ring of slots in delivery order: a delivery writes the next slot, a FIN clears its slot,
 * and the oldest cleared slots are reused. A FIN is looked for first just after the slot of the last
 * one taken out (in-order FINs find their message at once), then near the oldest message. A FIN
 * that both miss (a client that answers out of order) makes the table keep an index by id, which
 * it drops again once a ring's worth of FINs in a row found their message without it.
 *
 * <p>A message id is in the table at most once: {@link #add} of a redelivery (attempts over one)
 * replaces an entry with the same id, as a map's put would (its old lease may not have been
 * reported expired yet), looking through every slot in use unless the index is kept; a first
 * delivery cannot have one.
 *
 * <p>Threading: not thread-safe; used on the connection's event loop only.
 */
final class InFlightRing {
    /** Slots looked at after the last FIN's slot, and after the oldest message, before the index. */
    private static final int PROBE = 8;

    private static final int FIRST_CAPACITY = 16;

    private long[] ids = new long[FIRST_CAPACITY];
    private Lease[] leases = new Lease[FIRST_CAPACITY];
    private long[] deliveredAt = new long[FIRST_CAPACITY];
    private int mask = FIRST_CAPACITY - 1;
    /** Sequence of the oldest slot that may be in use (slots before it are free). */
    private long head;
    /** Sequence of the next slot to fill. */
    private long tail;
    /** Sequence just after the last slot emptied: where the next in-order FIN is. */
    private long hint;

    private int size;
    /** Message id to sequence, kept only while FINs come out of order; null otherwise. */
    private Long2LongOpenHashMap index;
    /** FINs in a row found without the index since it was made. */
    private int foundWithoutIndex;

    /** The number of messages in flight. */
    int size() {
        return size;
    }

    /** Adds a delivered message as the newest in flight (see the class on redeliveries). */
    void add(Lease lease, long deliveredAtMillis) {
        long id = lease.messageId();
        if (lease.attempts() > 1) {
            long old = index != null ? index.get(id) : scan(id);
            if (old >= 0) {
                clear(old);
            }
        }
        if (tail - head == ids.length) {
            // full: compact into the same size when at most half is in use, else grow
            relayout(size > ids.length / 2 ? ids.length * 2 : ids.length);
        }
        int slot = (int) tail & mask;
        ids[slot] = id;
        leases[slot] = lease;
        deliveredAt[slot] = deliveredAtMillis;
        if (index != null) {
            index.put(id, tail);
        }
        tail++;
        size++;
    }

    /** The lease of message {@code id} in flight, or null. */
    Lease get(long id) {
        long seq = find(id);
        return seq < 0 ? null : leases[(int) seq & mask];
    }

    /** When message {@code id} was delivered (the epoch millisecond given to {@link #add}); -1 if not in flight. */
    long deliveredAt(long id) {
        long seq = find(id);
        return seq < 0 ? -1 : deliveredAt[(int) seq & mask];
    }

    /** Takes message {@code id} out; returns its lease, or null when it was not in flight. */
    Lease remove(long id) {
        long seq = find(id);
        if (seq < 0) {
            return null;
        }
        Lease lease = leases[(int) seq & mask];
        clear(seq);
        return lease;
    }

    /** Takes message {@code id} out only while it is in flight under {@code lease}; true if it was. */
    boolean remove(long id, Lease lease) {
        long seq = find(id);
        if (seq < 0 || !leases[(int) seq & mask].equals(lease)) {
            return false;
        }
        clear(seq);
        return true;
    }

    /** Gives every lease in flight to {@code action}, oldest delivery first. */
    void forEachInDeliveryOrder(Consumer<Lease> action) {
        for (long seq = head; seq < tail; seq++) {
            Lease lease = leases[(int) seq & mask];
            if (lease != null) {
                action.accept(lease);
            }
        }
    }

    /** Forgets every message in flight. */
    void clear() {
        for (long seq = head; seq < tail; seq++) {
            leases[(int) seq & mask] = null;
        }
        head = tail;
        hint = tail;
        size = 0;
        index = null;
    }

    /** The sequence of message {@code id}'s slot, or -1. */
    private long find(long id) {
        long seq = probe(id, hint);
        if (seq < 0 && hint != head) {
            seq = probe(id, head);
        }
        if (seq >= 0) {
            if (index != null && ++foundWithoutIndex > ids.length) {
                index = null; // FINs are back in order: stop paying for the index
            }
            return seq;
        }
        if (size == 0) {
            return -1;
        }
        if (index == null) {
            buildIndex();
        }
        foundWithoutIndex = 0;
        return index.get(id);
    }

    private long probe(long id, long from) {
        long end = Math.min(tail, from + PROBE);
        for (long seq = Math.max(from, head); seq < end; seq++) {
            int slot = (int) seq & mask;
            if (ids[slot] == id && leases[slot] != null) {
                return seq;
            }
        }
        return -1;
    }

    /** Looks at every slot in use: for redeliveries, which are rare, so as not to make the index for them. */
    private long scan(long id) {
        for (long seq = head; seq < tail; seq++) {
            int slot = (int) seq & mask;
            if (ids[slot] == id && leases[slot] != null) {
                return seq;
            }
        }
        return -1;
    }

    private void buildIndex() {
        index = new Long2LongOpenHashMap(Math.max(size, FIRST_CAPACITY));
        index.defaultReturnValue(-1);
        for (long seq = head; seq < tail; seq++) {
            int slot = (int) seq & mask;
            if (leases[slot] != null) {
                index.put(ids[slot], seq);
            }
        }
    }

    private void clear(long seq) {
        int slot = (int) seq & mask;
        if (index != null) {
            index.remove(ids[slot]);
        }
        leases[slot] = null;
        size--;
        hint = seq + 1;
        while (head < tail && leases[(int) head & mask] == null) {
            head++;
        }
    }

    /** Moves the messages in flight, in order, into new slots of {@code capacity} (a power of two). */
    private void relayout(int capacity) {
        long[] newIds = new long[capacity];
        Lease[] newLeases = new Lease[capacity];
        long[] newDeliveredAt = new long[capacity];
        int n = 0;
        for (long seq = head; seq < tail; seq++) {
            int slot = (int) seq & mask;
            if (leases[slot] != null) {
                newIds[n] = ids[slot];
                newLeases[n] = leases[slot];
                newDeliveredAt[n] = deliveredAt[slot];
                n++;
            }
        }
        ids = newIds;
        leases = newLeases;
        deliveredAt = newDeliveredAt;
        mask = capacity - 1;
        head = 0;
        tail = n;
        hint = 0;
        if (index != null) {
            buildIndex();
        }
    }
}
