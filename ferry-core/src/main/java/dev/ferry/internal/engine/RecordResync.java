package dev.ferry.internal.engine;

import java.nio.ByteBuffer;

/**
 * Finds where intact {@link RecordCodec} records start again after damage in a segment or a retry
 * bucket. The format has no marker per record, so a candidate must earn its place: a plausible
 * length that fits the data, the known version byte, a CRC32C over its payload that holds (a 1 in
 * 2^32 accident for stray bytes), and, in a topic log, a sequence number no lower than the one the
 * damage started at (a record copied into a message body, as a body, would rarely pass all four).
 * The scan moves one byte at a time from where the damage starts, so it finds the first intact
 * record after it. Stateless and thread-safe (it reads the buffer by absolute index only).
 */
final class RecordResync {
    /** Where the sequence number sits in a record: length, CRC, version, flags, attempts. */
    static final int SEQ_AT = RecordCodec.HEADER + 1 + 1 + 4;

    private RecordResync() {}

    /**
     * The index of the first intact record at or after {@code from} in {@code data} (up to its
     * limit) whose sequence number is at least {@code minSeq}, or -1 when there is none.
     */
    static int next(ByteBuffer data, int from, int maxPayload, long minSeq) {
        ByteBuffer view = data.duplicate();
        int limit = view.limit();
        for (int p = Math.max(from, 0); p + RecordCodec.OVERHEAD <= limit; p++) {
            int length = view.getInt(p);
            if (length < RecordCodec.FIXED
                    || length > maxPayload
                    || (long) p + RecordCodec.HEADER + length > limit
                    || view.get(p + RecordCodec.HEADER) != RecordCodec.VERSION
                    || view.getLong(p + SEQ_AT) < minSeq) {
                continue;
            }
            view.position(p);
            if (RecordCodec.check(view, maxPayload) == null) {
                return p;
            }
        }
        return -1;
    }

    /** The sequence number (or retry key) of the record at index {@code at}. */
    static long seqAt(ByteBuffer data, int at) {
        return data.getLong(at + SEQ_AT);
    }

    /**
     * The number of intact records from {@code from} up to the first damage or the limit of {@code
     * data}.
     */
    static long countIntact(ByteBuffer data, int from, int maxPayload) {
        ByteBuffer view = data.duplicate();
        view.position(from);
        long count = 0;
        while (view.hasRemaining() && RecordCodec.check(view, maxPayload) == null) {
            view.position(view.position() + RecordCodec.HEADER + view.getInt(view.position()));
            count++;
        }
        return count;
    }
}
