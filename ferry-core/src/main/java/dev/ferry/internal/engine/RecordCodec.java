package dev.ferry.internal.engine;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk record format shared by topic logs and retry buckets:
 *
 * <pre>
 * int32 length of the payload | int32 CRC32C of the payload | payload
 * payload: byte version (1) | byte flags (0) | int32 attempts | int64 seq | int64 id
 *          | int64 timestamp ns | int64 due ms | body
 * </pre>
 *
 * Stateless and thread-safe.
 */
final class RecordCodec {
    static final byte VERSION = 1;
    static final int HEADER = 8;
    static final int FIXED = 1 + 1 + 4 + 8 + 8 + 8 + 8;
    static final int OVERHEAD = HEADER + FIXED;

    private RecordCodec() {}

    /** The encoded size of a record with a body of {@code bodyLength} bytes. */
    static int size(int bodyLength) {
        return OVERHEAD + bodyLength;
    }

    /** Writes one record at the buffer's position. The buffer must have room for it. */
    static void encode(ByteBuffer out, long seq, long id, long timestamp, long dueAt, int attempts, byte[] body) {
        int start = out.position();
        out.putInt(FIXED + body.length);
        out.putInt(0); // CRC, filled in below
        int payload = out.position();
        out.put(VERSION);
        out.put((byte) 0);
        out.putInt(attempts);
        out.putLong(seq);
        out.putLong(id);
        out.putLong(timestamp);
        out.putLong(dueAt);
        out.put(body);
        CRC32C crc = new CRC32C();
        if (out.hasArray()) {
            crc.update(out.array(), out.arrayOffset() + payload, out.position() - payload);
        } else {
            crc.update(out.slice(payload, out.position() - payload));
        }
        out.putInt(start + 4, (int) crc.getValue());
    }

    /** Why a record could not be decoded, or {@code null} when it is intact. */
    enum Problem {
        INCOMPLETE,
        BAD_LENGTH,
        BAD_CRC,
        UNKNOWN_VERSION
    }

    /**
     * Checks the record at the buffer's position without moving it: null when a whole, intact record
     * is there, otherwise what is wrong. {@code maxPayload} bounds a plausible length.
     */
    static Problem check(ByteBuffer in, int maxPayload) {
        int pos = in.position();
        if (in.remaining() < HEADER) {
            return Problem.INCOMPLETE;
        }
        int length = in.getInt(pos);
        if (length < FIXED || length > maxPayload) {
            return Problem.BAD_LENGTH;
        }
        if (in.remaining() < HEADER + length) {
            return Problem.INCOMPLETE;
        }
        CRC32C crc = new CRC32C();
        if (in.hasArray()) {
            crc.update(in.array(), in.arrayOffset() + pos + HEADER, length);
        } else {
            crc.update(in.slice(pos + HEADER, length));
        }
        if ((int) crc.getValue() != in.getInt(pos + 4)) {
            return Problem.BAD_CRC;
        }
        if (in.get(pos + HEADER) != VERSION) {
            return Problem.UNKNOWN_VERSION;
        }
        return null;
    }

    /** Decodes a record already {@link #check checked}, advancing the buffer past it. */
    static LogRecord decode(ByteBuffer in, long offset) {
        int length = in.getInt();
        in.getInt(); // CRC, already checked
        in.get(); // version, already checked
        in.get(); // flags
        int attempts = in.getInt();
        long seq = in.getLong();
        long id = in.getLong();
        long timestamp = in.getLong();
        long dueAt = in.getLong();
        byte[] body = new byte[length - FIXED];
        in.get(body);
        return new LogRecord(offset, seq, id, timestamp, dueAt, attempts, body, HEADER + length);
    }
}
