package dev.ferry.internal.engine;

import java.util.Arrays;

/**
 * The deferred publishes of a topic's log that some channel has not read yet: their sequence
 * numbers (ascending) and due times. Lets a channel count as deferred, not as depth, the deferred
 * messages ahead of its cursor, as nsqd does. After a restart it knows those in the newest
 * segment only. Not thread-safe (guarded by the topic lock).
 */
final class DeferredIndex {
    private long[] seqs = new long[16];
    private long[] dues = new long[16];
    private int head;
    private int size;

    void add(long seq, long dueAt) {
        if (size == seqs.length) {
            long[] s = new long[size * 2];
            long[] d = new long[size * 2];
            for (int i = 0; i < size; i++) {
                s[i] = seqs[(head + i) % seqs.length];
                d[i] = dues[(head + i) % seqs.length];
            }
            seqs = s;
            dues = d;
            head = 0;
        }
        int at = (head + size) % seqs.length;
        seqs[at] = seq;
        dues[at] = dueAt;
        size++;
    }

    /** Forgets entries below {@code seq} (every reader is past them). */
    void trimBelow(long seq) {
        while (size > 0 && seqs[head] < seq) {
            head = (head + 1) % seqs.length;
            size--;
        }
    }

    void clear() {
        Arrays.fill(seqs, 0);
        head = 0;
        size = 0;
    }

    /** How many entries at or after {@code fromSeq} are still due after {@code now}. */
    long countPending(long fromSeq, long now) {
        return countPending(fromSeq, Long.MAX_VALUE, now);
    }

    /** How many entries from {@code fromSeq} up to (not including) {@code toSeq} are due after {@code now}. */
    long countPending(long fromSeq, long toSeq, long now) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (seqs[(head + mid) % seqs.length] < fromSeq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        long count = 0;
        for (int i = lo; i < size && seqs[(head + i) % seqs.length] < toSeq; i++) {
            if (dues[(head + i) % seqs.length] > now) {
                count++;
            }
        }
        return count;
    }
}
