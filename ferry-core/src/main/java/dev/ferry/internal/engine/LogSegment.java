package dev.ferry.internal.engine;

import dev.ferry.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment file of a topic log: a 32-byte header (magic, base sequence number, base offset)
 * followed by {@link RecordCodec} records. It appends bytes at its end, reads one record by offset,
 * and recovers itself after a crash by cutting off a torn or corrupt tail. The ordered set of
 * segments (rolling, deleting, finding the one holding an offset) is {@link SegmentedLog}'s job.
 *
 * <p>Threading: guarded by the owning topic's lock, except {@link #force()}, which the sync thread
 * may call at any time (a closed channel is then the caller's to ignore).
 */
final class LogSegment {
    private static final Logger log = LoggerFactory.getLogger(LogSegment.class);
    static final String SUFFIX = ".seg";
    static final int HEADER = 32;
    private static final byte[] MAGIC = "FRYSEG01".getBytes(StandardCharsets.US_ASCII);
    static final int READ_CHUNK = 256 * 1024;

    final long base;
    final long baseSeq;
    final Path path;
    final FileChannel channel;
    /** The file's size in bytes, header included. */
    long size;

    long firstTimestamp = -1;
    /** The newest record's timestamp, known for segments written since the log was opened. */
    long lastTimestamp = -1;

    private LogSegment(long base, long baseSeq, Path path, FileChannel channel, long size) {
        this.base = base;
        this.baseSeq = baseSeq;
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    /** Creates a new, empty segment file in {@code dir} starting at {@code base}/{@code baseSeq}. */
    static LogSegment create(Path dir, FileIo io, long base, long baseSeq) throws IOException {
        Path path = dir.resolve(String.format("%020d%s", base, SUFFIX));
        FileChannel channel = io.open(
                path,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.put(MAGIC).putLong(baseSeq).putLong(base).putLong(0).flip();
        try {
            while (header.hasRemaining()) {
                channel.write(header, header.position());
            }
        } catch (IOException e) {
            channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
        return new LogSegment(base, baseSeq, path, channel, HEADER);
    }

    /**
     * Opens an existing segment file of {@code size} bytes; only the newest one ({@code writable})
     * is opened for writing.
     *
     * @throws StorageException when the file is not a Ferry log segment
     */
    static LogSegment open(String topic, Path path, FileIo io, long size, boolean writable) throws IOException {
        FileChannel channel = writable
                ? io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : io.open(path, StandardOpenOption.READ);
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(channel, header, 0);
        header.flip();
        byte[] magic = new byte[MAGIC.length];
        header.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            channel.close();
            throw new StorageException("topic " + topic + ": " + path + " is not a Ferry log segment (unknown format)");
        }
        long baseSeq = header.getLong();
        long base = header.getLong();
        return new LogSegment(base, baseSeq, path, channel, size);
    }

    /** The log offset just past this segment's last record. */
    long end() {
        return base + size - HEADER;
    }

    /** The position in the file of log offset {@code offset}. */
    long positionOf(long offset) {
        return offset - base + HEADER;
    }

    /**
     * Writes {@code buf} at the end of the file; on failure cuts the file back so that nothing of it
     * remains.
     *
     * @return the log offset where the bytes start
     */
    long write(ByteBuffer buf) throws IOException {
        long pos = size;
        int total = buf.remaining();
        FileIo.writeFullyAt(channel, buf, pos);
        size += total;
        return base + pos - HEADER;
    }

    /**
     * Scans the segment, hands its intact records to {@code sink}, and cuts off whatever follows
     * them (a torn or corrupt tail).
     *
     * @return the sequence number after the last intact record
     * @param cutBytes receives the number of bytes cut off
     */
    long recover(String topic, int maxPayload, Consumer<LogRecord> sink, long[] cutBytes) throws IOException {
        if (channel.size() != size) {
            size = channel.size();
        }
        long pos = HEADER;
        long seq = baseSeq;
        ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK);
        long fileSize = channel.size();
        RecordCodec.Problem problem = null;
        while (pos < fileSize) {
            buf.clear();
            int want = (int) Math.min(buf.capacity(), fileSize - pos);
            buf.limit(want);
            readFully(channel, buf, pos);
            buf.flip();
            int consumed = 0;
            while (true) {
                problem = RecordCodec.check(buf, maxPayload);
                if (problem != null) {
                    break;
                }
                LogRecord r = RecordCodec.decode(buf, base + pos + consumed - HEADER);
                seq = r.seq() + 1;
                consumed += r.size();
                sink.accept(r);
            }
            if (problem == RecordCodec.Problem.INCOMPLETE && pos + want < fileSize) {
                if (consumed == 0) {
                    int length = buf.getInt(0);
                    if (length + RecordCodec.HEADER > buf.capacity()) {
                        buf = ByteBuffer.allocate(length + RecordCodec.HEADER);
                    }
                }
                pos += consumed;
                problem = null;
                continue;
            }
            pos += consumed;
            break;
        }
        if (pos < fileSize) {
            log.warn(
                    "topic {}: cut off {} bytes of a torn or corrupt tail ({}) at byte {} of segment {}",
                    topic,
                    fileSize - pos,
                    problem == null ? "INCOMPLETE" : problem,
                    pos,
                    path.getFileName());
            channel.truncate(pos);
            channel.force(true);
            cutBytes[0] = fileSize - pos;
        }
        size = pos;
        return seq;
    }

    /** Reads the record at log offset {@code offset}, or null (logged) when it is damaged. */
    LogRecord readAt(String topic, long offset, int maxPayload) throws IOException {
        long pos = positionOf(offset);
        ByteBuffer head = ByteBuffer.allocate(RecordCodec.HEADER);
        readFully(channel, head, pos);
        int length = head.getInt(0);
        if (length < RecordCodec.FIXED || length > maxPayload) {
            log.error("topic {}: bad record length {} at offset {}", topic, length, offset);
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate(RecordCodec.HEADER + length);
        readFully(channel, buf, pos);
        buf.flip();
        RecordCodec.Problem problem = RecordCodec.check(buf, maxPayload);
        if (problem != null) {
            log.error("topic {}: {} record at offset {}", topic, problem, offset);
            return null;
        }
        return RecordCodec.decode(buf, offset);
    }

    /** Forces written bytes to the disk (not the file's metadata). */
    void force() throws IOException {
        channel.force(false);
    }

    /** Closes the file and deletes it. */
    void delete() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
    }

    /** Fills {@code buf} from {@code position} of {@code channel}; an early end of file is an error. */
    static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }
}
