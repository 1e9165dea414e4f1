package dev.ferry.internal.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A topic log on disk: the ordered list of its {@link LogSegment} files, named by their base offset.
 * It rolls to a new segment when the active one is full, deletes whole segments from the front,
 * finds the segment holding an offset, and reads forward through a reused buffer. The newest
 * records are also kept in a {@link TailCache} (under the engine's {@link TailCacheBudget}) so that
 * channels reading at the tail are served from memory.
 *
 * <p>Threading: the owning topic's lock guards everything but {@link #force()}, which the sync
 * thread calls concurrently; it forces whatever segment is active at that moment.
 */
final class SegmentedLog implements TopicLog {
    private static final Logger log = LoggerFactory.getLogger(SegmentedLog.class);
    static final String SUFFIX = LogSegment.SUFFIX;
    private static final int SEG_HEADER = LogSegment.HEADER;
    private static final int READ_CHUNK = LogSegment.READ_CHUNK;
    /** A topic's own bound on its tail cache, below the engine-wide budget. */
    private static final int TAIL_MAX_RECORDS = 1 << 16;

    private static final long TAIL_MAX_BYTES = 16L << 20;

    private final String topic;
    private final Path dir;
    private final FileIo io;
    private final int segmentBytes;
    private final int maxPayload;
    private final boolean forceOnRoll;
    private final TreeMap<Long, LogSegment> segments = new TreeMap<>();
    private final TailCache tail;
    private volatile LogSegment active;
    private volatile boolean dirty;
    // both made on first use: a topic that is never written to or read from costs no buffer
    private ByteBuffer writeBuffer = ByteBuffer.allocate(0);
    private ByteBuffer readBuffer = ByteBuffer.allocate(0);
    /** The segment and file position whose bytes {@link #readBuffer} holds (-1: none). */
    private long cachedBase = -1;

    private long cachedPos;
    private long endSeq;
    private long totalBytes;
    /** The id of the newest record, kept here because the tail cache may have been trimmed. */
    private long lastId;

    /** Damaged stretches found so far, by the log offset where each starts: reads skip them. */
    private final TreeMap<Long, LogSegment.Damage> damaged = new TreeMap<>();

    private final DamageCounts damage = new DamageCounts();

    private SegmentedLog(
            String topic,
            Path dir,
            FileIo io,
            int segmentBytes,
            int maxPayload,
            boolean forceOnRoll,
            TailCacheBudget budget) {
        this.topic = topic;
        this.dir = dir;
        this.io = io;
        this.segmentBytes = segmentBytes;
        this.maxPayload = maxPayload;
        this.forceOnRoll = forceOnRoll;
        this.tail = budget.newCache(topic, TAIL_MAX_RECORDS, TAIL_MAX_BYTES);
    }

    /**
     * Opens (or creates) the log in {@code dir}, recovering the newest segment (damage inside it is
     * skipped and quarantined, a torn tail cut off; see {@link LogSegment#recover}). Its tail cache shares {@code budget}.
     */
    static SegmentedLog open(
            String topic,
            Path dir,
            FileIo io,
            int segmentBytes,
            int maxPayload,
            boolean forceOnRoll,
            TailCacheBudget budget)
            throws IOException {
        SegmentedLog result = new SegmentedLog(topic, dir, io, segmentBytes, maxPayload, forceOnRoll, budget);
        try {
            result.load();
        } catch (IOException | RuntimeException e) {
            result.tail.release();
            throw e;
        }
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
            LogSegment previous =
                    segments.isEmpty() ? null : segments.lastEntry().getValue();
            LogSegment segment = LogSegment.open(topic, path, io, size, last, maxPayload, () -> endOf(previous));
            segment.quarantineHeader(topic, damage);
            segments.put(segment.base, segment);
            totalBytes += size;
        }
        if (segments.isEmpty()) {
            active = createSegment(0, 0);
            endSeq = 0;
            return;
        }
        active = segments.lastEntry().getValue();
        long[] expected = {active.baseSeq};
        LogSegment.Scan scan = active.recover(
                topic,
                maxPayload,
                r -> {
                    if (r.seq() != expected[0]) {
                        // the tail cache holds a run without holes: only what follows the damage
                        tail.clearRecovered();
                    }
                    expected[0] = r.seq() + 1;
                    tail.addRecovered(r);
                    lastId = r.id();
                },
                damage);
        for (LogSegment.Damage d : scan.damages()) {
            damaged.put(active.base + d.at() - SEG_HEADER, d);
        }
        endSeq = scan.endSeq();
        totalBytes -= scan.tornBytes();
    }

    /**
     * The sequence number after {@code segment}'s last intact record (0 for none): what a following
     * segment whose header was damaged starts at when no intact record of its own says so.
     */
    private long endOf(LogSegment segment) {
        if (segment == null) {
            return 0;
        }
        try {
            return segment.scan(maxPayload, r -> {}).endSeq();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What recovery and reads found damaged in this log's segments since it was opened. */
    @Override
    public dev.ferry.RecoveryStats recovery() {
        return damage.stats();
    }

    private LogSegment createSegment(long base, long baseSeq) throws IOException {
        LogSegment segment = LogSegment.create(dir, io, base, baseSeq);
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
        LogSegment s = active;
        if (s.size > SEG_HEADER && s.size + total > segmentBytes) {
            s = roll();
        }
        if (writeBuffer.capacity() < total) {
            writeBuffer = ByteBuffer.allocate(Math.max(total, Math.max(64 * 1024, writeBuffer.capacity() * 2)));
        }
        ByteBuffer buf = writeBuffer;
        buf.clear();
        long seq = endSeq;
        for (int i = 0; i < bodies.size(); i++) {
            RecordCodec.encode(buf, seq + i, ids[i], timestamp, dueAts[i], 0, bodies.get(i));
        }
        buf.flip();
        long offset = s.write(buf);
        dirty = true;
        for (int i = 0; i < bodies.size(); i++) {
            byte[] body = bodies.get(i);
            int size = RecordCodec.size(body.length);
            tail.add(new LogRecord(offset, seq + i, ids[i], timestamp, dueAts[i], 0, body, size));
            offset += size;
        }
        s.lastTimestamp = timestamp;
        totalBytes += total;
        endSeq += bodies.size();
        if (!bodies.isEmpty()) {
            lastId = ids[bodies.size() - 1];
        }
        tail.appended();
    }

    private LogSegment roll() throws IOException {
        LogSegment old = active;
        if (forceOnRoll) {
            old.force();
        }
        LogSegment next = createSegment(old.end(), endSeq);
        active = next;
        return next;
    }

    @Override
    public List<LogRecord> read(long offset, long seq, int max) throws IOException {
        List<LogRecord> out = new ArrayList<>(Math.min(max, 256));
        if (seq >= endSeq || max <= 0) {
            return out;
        }
        if (tail.read(offset, seq, endSeq, max, out)) {
            return out;
        }
        readFromFile(offset, seq, max, out);
        return out;
    }

    private void readFromFile(long offset, long seq, int max, List<LogRecord> out) throws IOException {
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        if (entry == null) {
            return;
        }
        LogSegment s = entry.getValue();
        if (offset >= s.end()) {
            return;
        }
        long pos = offset - s.base + SEG_HEADER;
        if (readBuffer.capacity() == 0) {
            readBuffer = ByteBuffer.allocate(READ_CHUNK);
        }
        ByteBuffer buf = readBuffer;
        // consumers read forward: serve them from the chunk read last time while it lasts
        boolean cached = cachedBase == s.base && pos >= cachedPos && pos < cachedPos + buf.limit();
        if (cached) {
            buf.position((int) (pos - cachedPos));
        } else {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), s.size - pos));
            LogSegment.readFully(s.channel, buf, pos);
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
                    readFromFile(at, seq, max, out);
                }
                return;
            } else {
                out.add(gap(s, at, seq + out.size(), problem));
                return;
            }
        }
    }

    /**
     * A marker (a record without a body) that skips the damaged stretch at {@code at}, where the
     * record of sequence number {@code seq} should be: up to the next intact record of the segment,
     * or past the segment when none follows. A stretch met for the first time is quarantined and
     * counted; later reads find it known.
     */
    private LogRecord gap(LogSegment s, long at, long seq, RecordCodec.Problem problem) throws IOException {
        LogSegment.Damage d = damaged.get(at);
        if (d == null) {
            log.error(
                    "topic {}: {} record at byte {} of segment {}",
                    topic,
                    problem,
                    s.positionOf(at),
                    s.path.getFileName());
            Map.Entry<Long, LogSegment> next = segments.higherEntry(s.base);
            long nextSeq = next == null ? endSeq : next.getValue().baseSeq;
            d = s.damageAt(topic, at, seq, nextSeq, maxPayload, damage);
            damaged.put(at, d);
        }
        return new LogRecord(at, d.nextSeq(), -1, 0, 0, 0, null, (int) d.length());
    }

    @Override
    public LogRecord readAt(long offset) throws IOException {
        LogRecord cached = tail.readAt(offset);
        if (cached != TailCache.NOT_CACHED) {
            return cached;
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        if (entry == null || offset >= entry.getValue().end()) {
            return null;
        }
        return entry.getValue().readAt(topic, offset, maxPayload);
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
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        return entry == null ? offset : entry.getKey();
    }

    @Override
    public boolean freeBefore(long offset) throws IOException {
        boolean freed = false;
        while (segments.size() > 1) {
            LogSegment first = segments.firstEntry().getValue();
            if (first == active || first.end() > offset) {
                break;
            }
            segments.pollFirstEntry();
            first.delete();
            totalBytes -= first.size;
            freed = true;
        }
        if (freed) {
            damaged.headMap(startOffset()).clear();
            tail.removeBefore(startOffset());
        }
        return freed;
    }

    @Override
    public long retentionCut(long maxBytes, long maxAgeMillis, long nowMillis) {
        LogSegment first = segments.firstEntry().getValue();
        if (first == active) {
            return -1;
        }
        if (maxBytes > 0 && totalBytes > maxBytes) {
            return first.end();
        }
        if (maxAgeMillis > 0) {
            long newest = first.lastTimestamp;
            // otherwise: every record of a segment is older than the first record of the next one
            LogSegment next = segments.higherEntry(first.base).getValue();
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
        return lastId;
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
            active.force();
        } catch (ClosedChannelException e) {
            // rolled or closed meanwhile: a roll forces the old segment, a close needs nothing
        }
    }

    @Override
    public void close() {
        for (LogSegment s : segments.values()) {
            try {
                if (s == active && dirty) {
                    s.force();
                }
                s.channel.close();
            } catch (IOException e) {
                log.warn("topic {}: closing {} failed: {}", topic, s.path, e.toString());
            }
        }
        tail.release();
    }

    @Override
    public void delete() throws IOException {
        cachedBase = -1;
        for (LogSegment s : segments.values()) {
            s.delete();
        }
        segments.clear();
        tail.release();
    }
}
