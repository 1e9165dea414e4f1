package dev.ferry.internal.engine;

import dev.ferry.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment file of a topic log: a 32-byte header (magic, base sequence number, base offset)
 * followed by {@link RecordCodec} records. It appends bytes at its end, reads one record by offset,
 * and recovers itself after a crash: damage inside the file is skipped and quarantined, a torn tail
 * (the last append cut short) is cut off. The ordered set of
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

    /** The header as found when {@link #open} had to rebuild it; null when it was intact. */
    private final ByteBuffer damagedHeader;

    private LogSegment(long base, long baseSeq, Path path, FileChannel channel, long size, ByteBuffer damagedHeader) {
        this.base = base;
        this.damagedHeader = damagedHeader;
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
        return new LogSegment(base, baseSeq, path, channel, HEADER, null);
    }

    /**
     * Opens an existing segment file of {@code size} bytes; only the newest one ({@code writable})
     * is opened for writing. A damaged header (wrong magic, a base that is not the one in the file's
     * name, or a base sequence number that is not the first record's) is rebuilt from the file's
     * name and its first intact record, and the segment reports it through {@link
     * #damagedHeader()}; nothing in the file is changed here.
     *
     * @param previousEnd the sequence number after the previous segment's records, used only when a
     *     damaged header must be rebuilt and no intact record is left to tell it (0 for the first)
     * @throws StorageException when the file is not a Ferry log segment (a name that is not one and
     *     a header that is not one)
     */
    static LogSegment open(
            String topic, Path path, FileIo io, long size, boolean writable, int maxPayload, LongSupplier previousEnd)
            throws IOException {
        FileChannel channel = writable
                ? io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : io.open(path, StandardOpenOption.READ);
        try {
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            readFully(channel, header, 0);
            header.flip();
            byte[] magic = new byte[MAGIC.length];
            header.get(magic);
            boolean magicIntact = Arrays.equals(magic, MAGIC);
            long headerSeq = header.getLong();
            long headerBase = header.getLong();
            long nameBase = baseFromName(path);
            if (!magicIntact && nameBase < 0) {
                throw new StorageException(
                        "topic " + topic + ": " + path + " is not a Ferry log segment (unknown format)");
            }
            ByteBuffer records = channel.map(FileChannel.MapMode.READ_ONLY, HEADER, Math.max(0, size - HEADER));
            long firstSeq =
                    RecordCodec.check(records.duplicate(), maxPayload) == null ? RecordResync.seqAt(records, 0) : -1;
            boolean baseIntact = nameBase < 0 || headerBase == nameBase;
            if (magicIntact && baseIntact && (firstSeq < 0 || firstSeq == headerSeq)) {
                return new LogSegment(headerBase, headerSeq, path, channel, size, null);
            }
            long baseSeq = firstSeq;
            if (baseSeq < 0) {
                int next = RecordResync.next(records, 1, maxPayload, 0);
                baseSeq = next >= 0
                        ? RecordResync.seqAt(records, next)
                        : magicIntact ? headerSeq : previousEnd.getAsLong();
            }
            long base = nameBase >= 0 ? nameBase : headerBase;
            header.rewind();
            return new LogSegment(base, baseSeq, path, channel, size, header);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The base offset a segment file's name gives ({@code 00000000000000001234.seg}), or -1. */
    private static long baseFromName(Path path) {
        String name = path.getFileName().toString();
        if (name.length() != 20 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        try {
            return Long.parseLong(name, 0, 20, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The header bytes as they are in the file when they were damaged and rebuilt by {@link #open}
     * (a read-only view), or null when the header is intact.
     */
    ByteBuffer damagedHeader() {
        return damagedHeader == null ? null : damagedHeader.asReadOnlyBuffer();
    }

    /**
     * Copies a damaged header into {@link Quarantine} and counts it (a damaged stretch of {@link
     * #HEADER} bytes that loses no record: the header is rebuilt); nothing when the header is intact.
     */
    void quarantineHeader(String topic, DamageCounts counts) throws IOException {
        if (damagedHeader == null) {
            return;
        }
        boolean known = Files.exists(Quarantine.fileFor(path, 0));
        Path copy = Quarantine.save(path, 0, damagedHeader());
        counts.damaged(0, HEADER);
        String line = "topic {}: the header of segment {} is damaged; rebuilt from the file's name (base offset {})"
                + " and its first intact record (sequence {}); the damaged bytes are kept in {}";
        Object[] args = {topic, path.getFileName(), base, baseSeq, copy.getFileName()};
        if (known) {
            log.warn(line + " (found before)", args);
        } else {
            log.error(line, args);
        }
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
     * A damaged stretch inside a segment: bytes from {@code at} (a position in the file) that hold
     * no intact record, followed by intact records again.
     *
     * @param seq the sequence number the first lost record had
     * @param nextSeq the sequence number of the intact record after the stretch (or the next
     *     segment's first, when nothing intact follows in this segment)
     * @param kept intact records after the stretch, up to the next damage or the end of the segment
     */
    record Damage(long at, long length, long seq, long nextSeq, long kept) {
        long lost() {
            return Math.max(0, nextSeq - seq);
        }
    }

    /**
     * What {@link #scan} found.
     *
     * @param endSeq the sequence number after the last intact record
     * @param endPos the file position after the last intact record
     * @param damages damaged stretches with intact records after them
     * @param tornBytes bytes after the last intact record: a torn tail (0: none)
     * @param tornProblem what is wrong with the first of them (null: none)
     */
    record Scan(long endSeq, long endPos, List<Damage> damages, long tornBytes, RecordCodec.Problem tornProblem) {}

    /**
     * Reads the whole segment without changing it, handing its intact records to {@code sink} in
     * order: a damaged record is skipped up to the next intact one (see {@link RecordResync}); what
     * follows the last intact record is a torn tail.
     */
    Scan scan(int maxPayload, Consumer<LogRecord> sink) throws IOException {
        long fileSize = channel.size();
        if (fileSize > Integer.MAX_VALUE) {
            throw new IOException("segment " + path + " is larger than 2 GiB");
        }
        ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize);
        int pos = HEADER;
        long seq = baseSeq;
        List<Damage> damages = new ArrayList<>();
        RecordCodec.Problem problem = null;
        while (pos < fileSize) {
            data.position(pos);
            problem = RecordCodec.check(data, maxPayload);
            if (problem == null) {
                LogRecord r = RecordCodec.decode(data, base + pos - HEADER);
                sink.accept(r);
                seq = r.seq() + 1;
                pos += r.size();
                continue;
            }
            int next = RecordResync.next(data, pos + 1, maxPayload, seq);
            if (next < 0) {
                break;
            }
            long nextSeq = RecordResync.seqAt(data, next);
            damages.add(new Damage(pos, next - pos, seq, nextSeq, RecordResync.countIntact(data, next, maxPayload)));
            pos = next;
            problem = null;
        }
        return new Scan(seq, pos, damages, fileSize - pos, problem);
    }

    /**
     * Recovers the segment after a restart: scans it ({@link #scan}), copies each damaged stretch
     * into {@link Quarantine} (the file itself keeps it), and cuts off a torn tail. Each finding is
     * one log line and goes into {@code counts}.
     */
    Scan recover(String topic, int maxPayload, Consumer<LogRecord> sink, DamageCounts counts) throws IOException {
        Scan scan = scan(maxPayload, sink);
        for (Damage d : scan.damages()) {
            quarantine(topic, d, counts);
        }
        if (scan.tornBytes() > 0) {
            log.warn(
                    "topic {}: cut off {} bytes of a torn tail ({}) at byte {} of segment {}",
                    topic,
                    scan.tornBytes(),
                    scan.tornProblem() == null ? "INCOMPLETE" : scan.tornProblem(),
                    scan.endPos(),
                    path.getFileName());
            channel.truncate(scan.endPos());
            channel.force(true);
            counts.torn(scan.tornBytes());
        }
        size = scan.endPos();
        return scan;
    }

    /**
     * The damaged stretch starting at log offset {@code offset}, found while reading: the record
     * there should have had sequence number {@code seq}; {@code endSeq} is the sequence number after
     * this segment. The stretch is quarantined and counted.
     */
    Damage damageAt(String topic, long offset, long seq, long endSeq, int maxPayload, DamageCounts counts)
            throws IOException {
        ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        int pos = (int) positionOf(offset);
        int next = RecordResync.next(data, pos + 1, maxPayload, seq);
        Damage d = next < 0
                ? new Damage(pos, size - pos, seq, endSeq, 0)
                : new Damage(
                        pos,
                        next - pos,
                        seq,
                        RecordResync.seqAt(data, next),
                        RecordResync.countIntact(data, next, maxPayload));
        quarantine(topic, d, counts);
        return d;
    }

    private void quarantine(String topic, Damage d, DamageCounts counts) throws IOException {
        boolean known = Files.exists(Quarantine.fileFor(path, d.at()));
        ByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, d.at(), d.length());
        Path copy = Quarantine.save(path, d.at(), bytes);
        counts.damaged(d.lost(), d.length());
        counts.kept(d.kept());
        String line = "topic {}: segment {} is damaged at byte {}: skipped {} bytes ({} record(s) lost, {} intact"
                + " record(s) after them kept); the damaged bytes are kept in {}";
        Object[] args = {topic, path.getFileName(), d.at(), d.length(), d.lost(), d.kept(), copy.getFileName()};
        if (known) {
            log.warn(line + " (found before)", args);
        } else {
            log.error(line, args);
        }
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
