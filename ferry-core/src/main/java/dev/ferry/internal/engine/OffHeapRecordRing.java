package dev.ferry.internal.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The most recent records of a log with their bodies outside the Java heap, indexed by sequence
 * number: a ring of fixed-size fields in primitive arrays, and the bodies one after another in a
 * direct buffer used as a circular arena. Bounded in records and bytes like {@link RecordRing}; the
 * oldest fall out first. A read copies the body out into a new {@link LogRecord}.
 *
 * <p>Why off the heap: a tail cache holds its records for as long as a reader may still want them,
 * so on the heap every young collection would copy them again (tens of MiB at 100,000 msg/s) while
 * the application waits. Here the collector sees a few arrays whose size does not change.
 *
 * <p>Memory: the arena grows by doubling as the bodies held need it, and halves again once they use
 * less than a quarter of it after a trim ({@link #shrinkToFit}), so it is about twice the bodies held
 * at most (the size counted against the budgets is the records' size in their files, a little more
 * than their bodies). A ring emptied by a trim or {@link #clear} lets its arena go. Direct memory
 * counts against {@code -XX:MaxDirectMemorySize}.
 *
 * <p>Not thread-safe: {@link TailCache} serialises every call.
 */
final class OffHeapRecordRing {
    private static final int MIN_ARENA = 64 * 1024;
    /**
     * The slots a ring starts with and shrinks back to: few, since most topics never spill (a
     * thousand idle topics held 55 MiB of heap with 1,024 each); they double as records come.
     */
    private static final int MIN_SLOTS = 16;

    private final int maxRecords;
    private final long maxBytes;

    private long[] offsets;
    private long[] seqs;
    private long[] ids;
    private long[] timestamps;
    private long[] dueAts;
    private int[] sizes;
    private int[] lengths;
    /** Where each body starts in the arena, as a position that only grows (taken modulo its size). */
    private long[] starts;

    private int head;
    private int count;
    private long bytes;

    private ByteBuffer arena;
    /** Arena position of the oldest body held, and where the next body goes. */
    private long arenaHead;

    private long arenaTail;

    OffHeapRecordRing(int maxRecords, long maxBytes) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        allocateSlots(Math.min(maxRecords, MIN_SLOTS));
    }

    private void allocateSlots(int slots) {
        offsets = new long[slots];
        seqs = new long[slots];
        ids = new long[slots];
        timestamps = new long[slots];
        dueAts = new long[slots];
        sizes = new int[slots];
        lengths = new int[slots];
        starts = new long[slots];
    }

    /** Adds a record, the next in sequence; its body is copied into the arena. */
    void add(long offset, long seq, long id, long timestamp, long dueAt, byte[] body, int size) {
        if (count == offsets.length) {
            if (offsets.length < maxRecords) {
                growSlots();
            } else {
                removeFirst();
            }
        }
        reserve(body.length);
        int at = slot(count);
        offsets[at] = offset;
        seqs[at] = seq;
        ids[at] = id;
        timestamps[at] = timestamp;
        dueAts[at] = dueAt;
        sizes[at] = size;
        lengths[at] = body.length;
        starts[at] = arenaTail;
        copyIn(arenaTail, body);
        arenaTail += body.length;
        count++;
        bytes += size;
        while (bytes > maxBytes && count > 1) {
            removeFirst();
        }
    }

    void add(LogRecord r) {
        add(r.offset(), r.seq(), r.id(), r.timestamp(), r.dueAt(), r.body(), r.size());
    }

    private int slot(int index) {
        return (head + index) % offsets.length;
    }

    private void growSlots() {
        int slots = Math.min(maxRecords, offsets.length * 2);
        long[] o = offsets, q = seqs, i = ids, t = timestamps, d = dueAts, st = starts;
        int[] s = sizes, l = lengths;
        allocateSlots(slots);
        for (int k = 0; k < count; k++) {
            int from = (head + k) % o.length;
            offsets[k] = o[from];
            seqs[k] = q[from];
            ids[k] = i[from];
            timestamps[k] = t[from];
            dueAts[k] = d[from];
            sizes[k] = s[from];
            lengths[k] = l[from];
            starts[k] = st[from];
        }
        head = 0;
    }

    /** Makes room for a body of {@code length} bytes in the arena: grows it, never drops a record for it. */
    private void reserve(int length) {
        long needed = arenaTail - arenaHead + length;
        int capacity = arena == null ? 0 : arena.capacity();
        if (needed <= capacity) {
            return;
        }
        long grown = Math.max(MIN_ARENA, capacity);
        while (grown < needed) {
            grown *= 2;
        }
        if (grown > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a tail cache cannot hold " + needed + " bytes of bodies");
        }
        resize((int) grown);
    }

    /** Moves the bodies held into a new arena of {@code capacity} bytes, positions kept modulo the new size. */
    private void resize(int capacity) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(capacity);
        long used = arenaTail - arenaHead;
        if (used > 0) {
            int from = index(arenaHead);
            int first = (int) Math.min(used, arena.capacity() - from);
            bigger.put(0, arena, from, first);
            if (first < used) {
                bigger.put(first, arena, 0, (int) used - first);
            }
        }
        // bodies now start at 0: shift every start by -arenaHead
        for (int k = 0; k < count; k++) {
            int at = slot(k);
            starts[at] -= arenaHead;
        }
        arenaTail -= arenaHead;
        arenaHead = 0;
        arena = bigger;
    }

    private int index(long position) {
        return (int) (position % arena.capacity());
    }

    private void copyIn(long position, byte[] body) {
        if (body.length == 0) {
            return;
        }
        int at = index(position);
        int first = Math.min(body.length, arena.capacity() - at);
        arena.put(at, body, 0, first);
        if (first < body.length) {
            arena.put(0, body, first, body.length - first);
        }
    }

    private byte[] copyOut(int slot) {
        byte[] body = new byte[lengths[slot]];
        if (body.length == 0) {
            return body;
        }
        int at = index(starts[slot]);
        int first = Math.min(body.length, arena.capacity() - at);
        arena.get(at, body, 0, first);
        if (first < body.length) {
            arena.get(0, body, first, body.length - first);
        }
        return body;
    }

    private LogRecord recordAt(int slot) {
        return new LogRecord(
                offsets[slot], seqs[slot], ids[slot], timestamps[slot], dueAts[slot], 0, copyOut(slot), sizes[slot]);
    }

    void removeFirst() {
        bytes -= sizes[head];
        arenaHead = starts[head] + lengths[head];
        head = (head + 1) % offsets.length;
        count--;
    }

    /** Drops records whose offset is below {@code offset}. */
    void removeBefore(long offset) {
        while (count > 0 && offsets[head] < offset) {
            removeFirst();
        }
    }

    /**
     * Gives memory back after records were dropped other than by appending (trims, dropped
     * segments): halves the arena while the bodies use less than a quarter of it.
     */
    void shrinkToFit() {
        if (arena == null) {
            return;
        }
        if (count == 0) {
            arena = null;
            arenaHead = 0;
            arenaTail = 0;
            return;
        }
        long used = arenaTail - arenaHead;
        int capacity = arena.capacity();
        while (capacity > MIN_ARENA && used < capacity / 4) {
            capacity /= 2;
        }
        if (capacity < arena.capacity()) {
            resize(capacity);
        }
    }

    /** Drops every record and lets the arena go. */
    void clear() {
        head = 0;
        count = 0;
        bytes = 0;
        arena = null;
        arenaHead = 0;
        arenaTail = 0;
        if (offsets.length > MIN_SLOTS) {
            allocateSlots(Math.min(maxRecords, MIN_SLOTS));
        } else {
            Arrays.fill(lengths, 0);
        }
    }

    int size() {
        return count;
    }

    /** The records' size in their files, the amount counted against the budgets. */
    long bytes() {
        return bytes;
    }

    /** Bytes of the arena allocated outside the heap. */
    long arenaBytes() {
        return arena == null ? 0 : arena.capacity();
    }

    /** The oldest record's offset; the ring must not be empty. */
    long firstOffset() {
        return offsets[head];
    }

    /** The oldest record's size in its file; the ring must not be empty. */
    int firstSize() {
        return sizes[head];
    }

    /** Visits a copy of each record held, oldest first. */
    void forEach(Consumer<LogRecord> visitor) {
        for (int k = 0; k < count; k++) {
            visitor.accept(recordAt(slot(k)));
        }
    }

    /** A copy of the record with sequence number {@code seq}, or null when it is not held. */
    LogRecord bySeq(long seq) {
        int slot = slotOfSeq(seq);
        return slot < 0 ? null : recordAt(slot);
    }

    /** The offset of the record with sequence number {@code seq}, or -1 when it is not held. */
    long offsetOfSeq(long seq) {
        int slot = slotOfSeq(seq);
        return slot < 0 ? -1 : offsets[slot];
    }

    private int slotOfSeq(long seq) {
        if (count == 0) {
            return -1;
        }
        long index = seq - seqs[head];
        if (index < 0 || index >= count) {
            return -1;
        }
        return slot((int) index);
    }

    /** A copy of the record starting at {@code offset}, or null when it is not held. */
    LogRecord byOffset(long offset) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int at = slot(mid);
            if (offsets[at] < offset) {
                lo = mid + 1;
            } else if (offsets[at] > offset) {
                hi = mid - 1;
            } else {
                return recordAt(at);
            }
        }
        return null;
    }
}
