package dev.ferry.internal.engine;

import java.util.Arrays;

/**
 * A binary min-heap of entries by a time (an in-flight deadline or a due time), where each entry
 * knows its own index so that finishing, requeueing or touching a message removes or moves it in
 * O(log n). A finished message therefore leaves nothing behind, however long its timeout was. An
 * entry is in at most one heap at a time. Not thread-safe (guarded by the topic lock).
 */
final class EntryHeap {
    private Entry[] items = new Entry[64];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The earliest entry, or null. */
    Entry peek() {
        return size == 0 ? null : items[0];
    }

    /** The earliest time, or Long.MAX_VALUE when empty. */
    long peekTime() {
        return size == 0 ? Long.MAX_VALUE : items[0].heapTime;
    }

    void add(Entry e, long time) {
        if (e.heapIndex >= 0) {
            throw new IllegalStateException("entry " + e.key + " is already in a heap");
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        e.heapTime = time;
        e.heapIndex = size;
        items[size++] = e;
        up(e.heapIndex);
    }

    /** Moves an entry already in this heap to a new time. */
    void change(Entry e, long time) {
        long old = e.heapTime;
        e.heapTime = time;
        if (time < old) {
            up(e.heapIndex);
        } else {
            down(e.heapIndex);
        }
    }

    /** Removes an entry if it is in this heap. */
    void remove(Entry e) {
        int i = e.heapIndex;
        if (i < 0 || i >= size || items[i] != e) {
            return;
        }
        Entry last = items[--size];
        items[size] = null;
        e.heapIndex = -1;
        if (i < size) {
            items[i] = last;
            last.heapIndex = i;
            up(i);
            down(last.heapIndex);
        }
    }

    /** Removes and returns the earliest entry, or null. */
    Entry poll() {
        Entry top = peek();
        if (top != null) {
            remove(top);
        }
        return top;
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            items[i].heapIndex = -1;
            items[i] = null;
        }
        size = 0;
    }

    private void up(int i) {
        Entry e = items[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = items[parent];
            if (p.heapTime <= e.heapTime) {
                break;
            }
            items[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        items[i] = e;
        e.heapIndex = i;
    }

    private void down(int i) {
        Entry e = items[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && items[right].heapTime < items[child].heapTime) {
                child = right;
            }
            if (e.heapTime <= items[child].heapTime) {
                break;
            }
            items[i] = items[child];
            items[i].heapIndex = i;
            i = child;
        }
        items[i] = e;
        e.heapIndex = i;
    }
}
