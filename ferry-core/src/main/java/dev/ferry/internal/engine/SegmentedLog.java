package dev.ferry.internal.engine;

import dev.ferry.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A topic log on disk: segment files named by their base offset, each starting with a 32-byte
 * header (magic, base sequence number, base offset) followed by {@link RecordCodec} records. The
 * newest records are also kept in a {@link RecordRing} so that channels reading at the tail are
 * served from memory.
 *
 * <p>Threading: the owning topic's lock guards everything but {@link #force()}, which the sync
 * thread calls concurrently; it forces whatever segment is active at that moment.
 */
final class SegmentedLog implements TopicLog {
    private static final Logger log = LoggerFactory.getLogger(SegmentedLog.class);
    static final String SUFFIX = ".seg";
    static final int SEG_HEADER = 32;
    private static final byte[] MAGIC = "FRYSEG01".getBytes(StandardCharsets.US_ASCII);
    private static final int READ_CHUNK = 256 * 1024;

    private final String topic;
    private final Path dir;
    private final FileIo io;
    private final int segmentBytes;
    private final int maxPayload;
    private final boolean forceOnRoll;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final RecordRing tail = new RecordRing(1 << 16, 16L << 20);
    private volatile Segment active;
    private volatile boolean dirty;
    private ByteBuffer writeBuffer = ByteBuffer.allocate(64 * 1024);
    private ByteBuffer readBuffer = ByteBuffer.allocate(READ_CHUNK);
    /** The segment and file position whose bytes {@link #readBuffer} holds (-1: none). */
    private long cachedBase = -1;

    private long cachedPos;
    private long endSeq;
    private long totalBytes;

    private static final class Segment {
        final long base;
        final long baseSeq;
        final Path path;
        final FileChannel channel;
        long size;
        long firstTimestamp = -1;
        /** The newest record's timestamp, known for segments rolled since the log was opened. */
        long lastTimestamp = -1;

        Segment(long base, long baseSeq, Path path, FileChannel channel, long size) {
            this.base = base;
            this.baseSeq = baseSeq;
            this.path = path;
            this.channel = channel;
            this.size = size;
        }

        long end() {
            return base + size - SEG_HEADER;
        }
    }

    private SegmentedLog(String topic, Path dir, FileIo io, int segmentBytes, int maxPayload, boolean forceOnRoll) {
        this.topic = topic;
        this.dir = dir;
        this.io = io;
        this.segmentBytes = segmentBytes;
        this.maxPayload = maxPayload;
        this.forceOnRoll = forceOnRoll;
    }

    /**
     * Opens (or creates) the log in {@code dir}, cutting a torn or corrupt tail off the newest
     * segment.
     */
    static SegmentedLog open(String topic, Path dir, FileIo io, int segmentBytes, int maxPayload, boolean forceOnRoll)
            throws IOException {
        SegmentedLog result = new SegmentedLog(topic, dir, io, segmentBytes, maxPayload, forceOnRoll);
        result.load();
        return result;
    }

    private void load() throws IOException {
        Files.createDirectories(dir);
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
                    .sorted()
                    .toList();
        }
        for (int i = 0; i < files.size(); i++) {
            Path path = files.get(i);
            boolean last = i == files.size() - 1;
            long size = Files.size(path);
            if (size < SEG_HEADER && last) {
                log.warn(
                        "topic {}: removing segment {} whose header is incomplete ({} bytes): a crash while"
                                + " it was created",
                        topic,
                        path.getFileName(),
                        size);
                Files.delete(path);
                continue;
            }
            FileChannel channel = last
                    ? io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : io.open(path, StandardOpenOption.READ);
            ByteBuffer header = ByteBuffer.allocate(SEG_HEADER);
            readFully(channel, header, 0);
            header.flip();
            byte[] magic = new byte[MAGIC.length];
            header.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                channel.close();
                throw new StorageException(
                        "topic " + topic + ": " + path + " is not a Ferry log segment (unknown format)");
            }
            long baseSeq = header.getLong();
            long base = header.getLong();
            Segment segment = new Segment(base, baseSeq, path, channel, size);
            segments.put(base, segment);
            totalBytes += size;
        }
        if (segments.isEmpty()) {
            active = createSegment(0, 0);
            endSeq = 0;
            return;
        }
        active = segments.lastEntry().getValue();
        if (active.channel.size() != active.size) {
            active.size = active.channel.size();
        }
        recoverTail();
    }

    /** Scans the newest segment, keeps its intact records, and cuts off whatever follows them. */
    private void recoverTail() throws IOException {
        Segment s = active;
        long pos = SEG_HEADER;
        long seq = s.baseSeq;
        ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK);
        long fileSize = s.channel.size();
        RecordCodec.Problem problem = null;
        while (pos < fileSize) {
            buf.clear();
            int want = (int) Math.min(buf.capacity(), fileSize - pos);
            buf.limit(want);
            readFully(s.channel, buf, pos);
            buf.flip();
            int consumed = 0;
            while (true) {
                problem = RecordCodec.check(buf, maxPayload);
                if (problem != null) {
                    break;
                }
                LogRecord r = RecordCodec.decode(buf, s.base + pos + consumed - SEG_HEADER);
                seq = r.seq() + 1;
                consumed += r.size();
                tail.add(r);
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
                    s.path.getFileName());
            s.channel.truncate(pos);
            s.channel.force(true);
            totalBytes -= fileSize - pos;
        }
        s.size = pos;
        endSeq = seq;
    }

    private Segment createSegment(long base, long baseSeq) throws IOException {
        Path path = dir.resolve(String.format("%020d%s", base, SUFFIX));
        FileChannel channel = io.open(
                path,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ByteBuffer header = ByteBuffer.allocate(SEG_HEADER);
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
        Segment segment = new Segment(base, baseSeq, path, channel, SEG_HEADER);
        segments.put(base, segment);
        totalBytes += SEG_HEADER;
        return segment;
    }

    @Override
    public void append(long[] ids, long timestamp, long[] dueAts, List<byte[]> bodies) throws IOException {
        int total = 0;
        for (byte[] body : bodies) {
            total += RecordCodec.size(body.length);
        }
        Segment s = active;
        if (s.size > SEG_HEADER && s.size + total > segmentBytes) {
            s = roll();
        }
        if (writeBuffer.capacity() < total) {
            writeBuffer = ByteBuffer.allocate(Math.max(total, writeBuffer.capacity() * 2));
        }
        ByteBuffer buf = writeBuffer;
        buf.clear();
        long seq = endSeq;
        for (int i = 0; i < bodies.size(); i++) {
            RecordCodec.encode(buf, seq + i, ids[i], timestamp, dueAts[i], 0, bodies.get(i));
        }
        buf.flip();
        long pos = s.size;
        try {
            long at = pos;
            while (buf.hasRemaining()) {
                at += s.channel.write(buf, at);
            }
        } catch (IOException e) {
            try {
                s.channel.truncate(pos);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        dirty = true;
        long offset = s.base + pos - SEG_HEADER;
        for (int i = 0; i < bodies.size(); i++) {
            byte[] body = bodies.get(i);
            int size = RecordCodec.size(body.length);
            tail.add(new LogRecord(offset, seq + i, ids[i], timestamp, dueAts[i], 0, body, size));
            offset += size;
        }
        s.size += total;
        s.lastTimestamp = timestamp;
        totalBytes += total;
        endSeq += bodies.size();
    }

    private Segment roll() throws IOException {
        Segment old = active;
        if (forceOnRoll) {
            old.channel.force(false);
        }
        Segment next = createSegment(old.end(), endSeq);
        active = next;
        return next;
    }

    @Override
    public List<LogRecord> read(long offset, long seq, int max) throws IOException {
        List<LogRecord> out = new ArrayList<>(Math.min(max, 256));
        if (seq >= endSeq || max <= 0) {
            return out;
        }
        LogRecord cached = tail.bySeq(seq);
        if (cached != null && cached.offset() == offset) {
            for (long s = seq; s < endSeq && out.size() < max; s++) {
                out.add(tail.bySeq(s));
            }
            return out;
        }
        readFromFile(offset, max, out);
        return out;
    }

    private void readFromFile(long offset, int max, List<LogRecord> out) throws IOException {
        Map.Entry<Long, Segment> entry = segments.floorEntry(offset);
        if (entry == null) {
            return;
        }
        Segment s = entry.getValue();
        if (offset >= s.end()) {
            return;
        }
        long pos = offset - s.base + SEG_HEADER;
        ByteBuffer buf = readBuffer;
        // consumers read forward: serve them from the chunk read last time while it lasts
        boolean cached = cachedBase == s.base && pos >= cachedPos && pos < cachedPos + buf.limit();
        if (cached) {
            buf.position((int) (pos - cachedPos));
        } else {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), s.size - pos));
            readFully(s.channel, buf, pos);
            buf.flip();
            cachedBase = s.base;
            cachedPos = pos;
        }
        boolean wholeSegmentRead = cachedPos + buf.limit() == s.size;
        long at = offset;
        while (out.size() < max && buf.hasRemaining()) {
            RecordCodec.Problem problem = RecordCodec.check(buf, maxPayload);
            if (problem == null) {
                LogRecord r = RecordCodec.decode(buf, at);
                out.add(r);
                at += r.size();
            } else if (problem == RecordCodec.Problem.INCOMPLETE && !wholeSegmentRead) {
                if (out.isEmpty()) {
                    if (!cached) {
                        // a record larger than the read buffer: grow it
                        int length = buf.getInt(buf.position());
                        readBuffer = ByteBuffer.allocate(Math.max(READ_CHUNK, length + RecordCodec.HEADER));
                    }
                    cachedBase = -1; // read again from here
                    readFromFile(at, max, out);
                }
                return;
            } else {
                out.add(gap(s, at, problem));
                return;
            }
        }
    }

    /** A marker that skips the rest of a damaged segment. */
    private LogRecord gap(Segment s, long at, RecordCodec.Problem problem) {
        Map.Entry<Long, Segment> next = segments.higherEntry(s.base);
        long nextSeq = next == null ? endSeq : next.getValue().baseSeq;
        log.error(
                "topic {}: {} record at byte {} of segment {}; skipping to the next segment",
                topic,
                problem,
                at - s.base + SEG_HEADER,
                s.path.getFileName());
        return new LogRecord(at, nextSeq, -1, 0, 0, 0, null, (int) (s.end() - at));
    }

    @Override
    public LogRecord readAt(long offset) throws IOException {
        LogRecord first = tail.first();
        if (first != null && offset >= first.offset()) {
            return tail.byOffset(offset);
        }
        Map.Entry<Long, Segment> entry = segments.floorEntry(offset);
        if (entry == null || offset >= entry.getValue().end()) {
            return null;
        }
        Segment s = entry.getValue();
        long pos = offset - s.base + SEG_HEADER;
        ByteBuffer head = ByteBuffer.allocate(RecordCodec.HEADER);
        readFully(s.channel, head, pos);
        int length = head.getInt(0);
        if (length < RecordCodec.FIXED || length > maxPayload) {
            log.error("topic {}: bad record length {} at offset {}", topic, length, offset);
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate(RecordCodec.HEADER + length);
        readFully(s.channel, buf, pos);
        buf.flip();
        RecordCodec.Problem problem = RecordCodec.check(buf, maxPayload);
        if (problem != null) {
            log.error("topic {}: {} record at offset {}", topic, problem, offset);
            return null;
        }
        return RecordCodec.decode(buf, offset);
    }

    @Override
    public long startOffset() {
        return segments.firstEntry().getValue().base;
    }

    @Override
    public long startSeq() {
        return segments.firstEntry().getValue().baseSeq;
    }

    @Override
    public long endOffset() {
        return active.end();
    }

    @Override
    public long endSeq() {
        return endSeq;
    }

    @Override
    public long segmentBaseOf(long offset) {
        Map.Entry<Long, Segment> entry = segments.floorEntry(offset);
        return entry == null ? offset : entry.getKey();
    }

    @Override
    public boolean freeBefore(long offset) throws IOException {
        boolean freed = false;
        while (segments.size() > 1) {
            Segment first = segments.firstEntry().getValue();
            if (first == active || first.end() > offset) {
                break;
            }
            segments.pollFirstEntry();
            first.channel.close();
            Files.deleteIfExists(first.path);
            totalBytes -= first.size;
            freed = true;
        }
        if (freed) {
            tail.removeBefore(startOffset());
        }
        return freed;
    }

    @Override
    public long retentionCut(long maxBytes, long maxAgeMillis, long nowMillis) {
        Segment first = segments.firstEntry().getValue();
        if (first == active) {
            return -1;
        }
        if (maxBytes > 0 && totalBytes > maxBytes) {
            return first.end();
        }
        if (maxAgeMillis > 0) {
            long newest = first.lastTimestamp;
            // otherwise: every record of a segment is older than the first record of the next one
            Segment next = segments.higherEntry(first.base).getValue();
            try {
                if (newest < 0 && next.firstTimestamp < 0) {
                    LogRecord r = readAt(next.base);
                    next.firstTimestamp = r == null ? Long.MAX_VALUE : r.timestamp();
                }
            } catch (IOException e) {
                log.warn("topic {}: cannot read the age of {}: {}", topic, next.path, e.toString());
                return -1;
            }
            if (newest < 0) {
                newest = next.firstTimestamp;
            }
            if (newest / 1_000_000 < nowMillis - maxAgeMillis) {
                return first.end();
            }
        }
        return -1;
    }

    @Override
    public void forEachCached(java.util.function.Consumer<LogRecord> visitor) {
        tail.forEach(visitor);
    }

    @Override
    public long lastId() {
        LogRecord last = tail.last();
        return last == null ? 0 : last.id();
    }

    @Override
    public long sizeBytes() {
        return totalBytes;
    }

    @Override
    public void force() throws IOException {
        if (!dirty) {
            return;
        }
        dirty = false;
        try {
            active.channel.force(false);
        } catch (ClosedChannelException e) {
            // rolled or closed meanwhile: a roll forces the old segment, a close needs nothing
        }
    }

    @Override
    public void close() {
        for (Segment s : segments.values()) {
            try {
                if (s == active && dirty) {
                    s.channel.force(false);
                }
                s.channel.close();
            } catch (IOException e) {
                log.warn("topic {}: closing {} failed: {}", topic, s.path, e.toString());
            }
        }
    }

    @Override
    public void delete() throws IOException {
        cachedBase = -1;
        for (Segment s : segments.values()) {
            s.channel.close();
            Files.deleteIfExists(s.path);
        }
        segments.clear();
        tail.clear();
    }

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
