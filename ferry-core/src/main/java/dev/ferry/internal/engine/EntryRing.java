package dev.ferry.internal.engine;

import java.util.function.Consumer;

/**
 * Entries in the order of a key that nearly always arrives ascending (a log offset as the cursor
 * reads on, or an in-flight deadline for one timeout), with removal from anywhere in O(1): a
 * removed entry's slot is cleared and skipped later ("lazy removal"), the head is trimmed past
 * cleared slots, and the ring is compacted once cleared slots outnumber the entries held, so it
 * never holds more than about twice its entries. The lowest key held is found in amortised O(1).
 *
 * <p>Why not a tree or a heap: a channel adds one entry per delivery and removes one per answer;
 * a red-black tree or a binary heap costs O(log n) pointer-chasing on both, while here both are a
 * store into an array. A key that arrives below the last one (rare: a cursor put back, a clock
 * that stepped back) is inserted in place, in O(n).
 *
 * <p>Each entry remembers its slot in one ring of each {@link Kind}, so an entry may be in one
 * log-order ring and one in-flight ring at a time.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class EntryRing {
    /** Which of an entry's slot fields this ring uses. */
    enum Kind {
        /** Log offsets ({@link Entry#logSlot}). */
        LOG_ORDER,
        /** In-flight deadlines ({@link Entry#flightSlot}). */
        DEADLINE
    }

    private static final int MIN_CAPACITY = 64;

    /** The capacity {@link #trim} does not go below. */
    private static final int TRIM_FLOOR = 1024;

    /** Cleared slots tolerated beyond the entries held before the ring compacts. */
    private static final int SLACK = 32;

    private final boolean logOrder;
    private Entry[] items = new Entry[MIN_CAPACITY];
    private long[] keys = new long[MIN_CAPACITY];
    private int mask = MIN_CAPACITY - 1;
    private int head;

    /** Slots in use from the head, cleared ones included. */
    private int span;

    /** Entries held. */
    private int size;

    EntryRing(Kind kind) {
        this.logOrder = kind == Kind.LOG_ORDER;
    }

    private int slotOf(Entry e) {
        return logOrder ? e.logSlot : e.flightSlot;
    }

    private void setSlot(Entry e, int slot) {
        if (logOrder) {
            e.logSlot = slot;
        } else {
            e.flightSlot = slot;
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The key of the last slot in use, or Long.MIN_VALUE when none is. */
    long lastKey() {
        return span == 0 ? Long.MIN_VALUE : keys[(head + span - 1) & mask];
    }

    /** Adds {@code e} under {@code key}; in O(1) when {@code key} is not below {@link #lastKey}. */
    void add(Entry e, long key) {
        if (span == items.length) {
            resize();
        }
        if (key < lastKey()) {
            insert(e, key);
            return;
        }
        int slot = (head + span) & mask;
        items[slot] = e;
        keys[slot] = key;
        setSlot(e, slot);
        span++;
        size++;
    }

    /** Whether {@code e} is in this ring. */
    boolean holds(Entry e) {
        int slot = slotOf(e);
        return slot >= 0 && slot < items.length && items[slot] == e;
    }

    /** Removes {@code e} if it is in this ring; whether it was. */
    boolean remove(Entry e) {
        if (!holds(e)) {
            return false;
        }
        int slot = slotOf(e);
        items[slot] = null;
        setSlot(e, -1);
        size--;
        trimHead();
        if (span > 2 * size + SLACK) {
            // same capacity: shrinking here would regrow with every batch of deliveries
            compact(items.length);
        }
        return true;
    }

    /** The entry with the lowest key, or null. */
    Entry first() {
        return size == 0 ? null : items[head];
    }

    /** The lowest key held, or Long.MAX_VALUE when empty. */
    long firstKey() {
        return size == 0 ? Long.MAX_VALUE : keys[head];
    }

    /** Removes and returns the entry with the lowest key, or null. */
    Entry pollFirst() {
        Entry e = first();
        if (e != null) {
            remove(e);
        }
        return e;
    }

    /** The entry held under {@code key}, or null (binary search: keys are in ascending order). */
    Entry find(long key) {
        int lo = 0;
        int hi = span;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (keys[(head + mid) & mask] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // cleared slots keep their key, so equal keys may repeat: the live one is among them
        for (int i = lo; i < span && keys[(head + i) & mask] == key; i++) {
            Entry e = items[(head + i) & mask];
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /** Calls {@code action} for every entry, in key order. */
    void forEach(Consumer<Entry> action) {
        for (int i = 0; i < span; i++) {
            Entry e = items[(head + i) & mask];
            if (e != null) {
                action.accept(e);
            }
        }
    }

    void clear() {
        for (int i = 0; i < span; i++) {
            int slot = (head + i) & mask;
            if (items[slot] != null) {
                setSlot(items[slot], -1);
                items[slot] = null;
            }
        }
        head = 0;
        span = 0;
        size = 0;
    }

    private void trimHead() {
        while (span > 0 && items[head] == null) {
            head = (head + 1) & mask;
            span--;
        }
        if (span == 0) {
            head = 0;
        }
    }

    /**
     * Gives back memory after a peak: halves the capacity while a quarter of it would still hold
     * every entry, but not below {@link #TRIM_FLOOR} slots. Called now and then (housekeeping),
     * not per removal, so that a channel whose deliveries come in batches keeps its arrays.
     */
    void trim() {
        int capacity = items.length;
        while (capacity > TRIM_FLOOR && capacity >= 4 * size) {
            capacity >>>= 1;
        }
        if (capacity < items.length) {
            compact(capacity);
        }
    }

    /** Makes room for one more slot: compacts when half the slots are cleared, else doubles. */
    private void resize() {
        compact(size * 2 <= items.length ? items.length : items.length * 2);
    }

    /** Moves the entries held to the front of new arrays of {@code capacity} slots. */
    private void compact(int capacity) {
        Entry[] newItems = new Entry[capacity];
        long[] newKeys = new long[capacity];
        int n = 0;
        for (int i = 0; i < span; i++) {
            int slot = (head + i) & mask;
            Entry e = items[slot];
            if (e != null) {
                newItems[n] = e;
                newKeys[n] = keys[slot];
                setSlot(e, n);
                n++;
            }
        }
        items = newItems;
        keys = newKeys;
        mask = capacity - 1;
        head = 0;
        span = n;
    }

    /** Inserts {@code e} in key order, shifting the slots after it (rare: the key went back). */
    private void insert(Entry e, long key) {
        compact(size + 1 > items.length ? items.length * 2 : items.length);
        int at = 0;
        while (at < span && keys[at] <= key) {
            at++;
        }
        for (int i = span; i > at; i--) {
            items[i] = items[i - 1];
            keys[i] = keys[i - 1];
            setSlot(items[i], i);
        }
        items[at] = e;
        keys[at] = key;
        setSlot(e, at);
        span++;
        size++;
    }
}
