package dev.ferry.internal.engine;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A retry store on disk: one file {@code <bucket>.bkt} per bucket, holding {@link RecordCodec}
 * records. Open files are kept per bucket; {@link #sync(boolean)} forces those written since the
 * last sync. Not thread-safe: the owning topic's lock guards it, except {@link #sync(boolean)}, which
 * the sync thread calls.
 */
final class FileRetryStore implements RetryStore {
    private static final Logger log = LoggerFactory.getLogger(FileRetryStore.class);
    private static final String SUFFIX = ".bkt";

    private final Path dir;
    private final FileIo io;
    private final int maxPayload;
    private final DamageCounts damage;
    /** Buckets whose damage was reported already. */
    private final it.unimi.dsi.fastutil.longs.LongOpenHashSet reported =
            new it.unimi.dsi.fastutil.longs.LongOpenHashSet();

    private final Long2ObjectOpenHashMap<FileChannel> open = new Long2ObjectOpenHashMap<>();
    private final Long2LongOpenHashMap sizes = new Long2LongOpenHashMap();
    private final Map<FileChannel, Boolean> dirty = new ConcurrentHashMap<>();
    private ByteBuffer buffer = ByteBuffer.allocate(4096);

    /** A store in {@code dir}; damage found in its files is counted in {@code damage}. */
    FileRetryStore(Path dir, FileIo io, int maxPayload, DamageCounts damage) {
        this.damage = damage;
        this.dir = dir;
        this.io = io;
        this.maxPayload = maxPayload;
    }

    private Path path(long bucket) {
        return dir.resolve(bucket + SUFFIX);
    }

    private FileChannel channel(long bucket) throws IOException {
        FileChannel channel = open.get(bucket);
        if (channel == null) {
            Files.createDirectories(dir);
            channel =
                    io.open(path(bucket), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            open.put(bucket, channel);
            sizes.put(bucket, channel.size());
        }
        return channel;
    }

    @Override
    public long append(long bucket, long key, long id, long timestamp, long dueAt, int attempts, byte[] body)
            throws IOException {
        FileChannel channel = channel(bucket);
        int size = RecordCodec.size(body.length);
        if (buffer.capacity() < size) {
            buffer = ByteBuffer.allocate(Math.max(size, buffer.capacity() * 2));
        }
        buffer.clear();
        RecordCodec.encode(buffer, key, id, timestamp, dueAt, attempts, body);
        buffer.flip();
        long pos = sizes.get(bucket);
        FileIo.writeFullyAt(channel, buffer, pos);
        sizes.put(bucket, pos + size);
        dirty.put(channel, Boolean.TRUE);
        return pos;
    }

    @Override
    public LogRecord read(long bucket, long pos) throws IOException {
        FileChannel channel = channel(bucket);
        if (pos + RecordCodec.HEADER > sizes.get(bucket)) {
            return null;
        }
        ByteBuffer head = ByteBuffer.allocate(RecordCodec.HEADER);
        LogSegment.readFully(channel, head, pos);
        int length = head.getInt(0);
        if (length < RecordCodec.FIXED || length > maxPayload) {
            return null;
        }
        if (pos + RecordCodec.HEADER + length > sizes.get(bucket)) {
            // the file was cut short inside this record (a crash, or damage): the copy is lost, the
            // records before it are not
            log.error(
                    "retry bucket {} in {}: the record at byte {} runs past the end of the file ({} bytes);"
                            + " its message copy is lost",
                    bucket,
                    dir,
                    pos,
                    sizes.get(bucket));
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate(RecordCodec.HEADER + length);
        LogSegment.readFully(channel, buf, pos);
        buf.flip();
        if (RecordCodec.check(buf, maxPayload) != null) {
            log.error("retry bucket {} in {}: damaged record at byte {}", bucket, dir, pos);
            return null;
        }
        return RecordCodec.decode(buf, pos);
    }

    @Override
    public List<LogRecord> readAll(long bucket) throws IOException {
        List<LogRecord> out = new ArrayList<>();
        Path file = path(bucket);
        if (!Files.exists(file)) {
            return out;
        }
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
        Scan scan = scan(data, maxPayload, out::add);
        // a bucket is read more than once (counted at recovery, loaded later): report its damage once
        boolean first = reported.add(bucket);
        for (int[] d : first ? scan.damages() : List.<int[]>of()) {
            Path copy = Quarantine.save(file, d[0], data.slice(d[0], d[1]));
            damage.damaged(1, d[1]);
            damage.kept(scan.keptAfter(d[0]));
            log.error(
                    "retry bucket {} is damaged at byte {}: skipped {} bytes (at least one message copy lost);"
                            + " the damaged bytes are kept in {}",
                    file,
                    d[0],
                    d[1],
                    copy.getFileName());
        }
        if (scan.end() < data.limit()) {
            log.warn(
                    "retry bucket {} in {}: cut off {} bytes of a torn tail at byte {}",
                    bucket,
                    dir,
                    data.limit() - scan.end(),
                    scan.end());
            FileChannel channel = channel(bucket);
            channel.truncate(scan.end());
            sizes.put(bucket, (long) scan.end());
            damage.torn(data.limit() - scan.end());
        }
        return out;
    }

    /**
     * What {@link #scan} found in a bucket file.
     *
     * @param damages damaged stretches with intact records after them, as {start, length}
     * @param recordStarts where each intact record starts
     * @param end where the torn tail starts (the data's limit: none)
     */
    record Scan(List<int[]> damages, List<Integer> recordStarts, int end) {
        /** Intact records after {@code at}, up to the next damage. */
        long keptAfter(int at) {
            int upTo = Integer.MAX_VALUE;
            for (int[] d : damages) {
                if (d[0] > at) {
                    upTo = Math.min(upTo, d[0]);
                }
            }
            final int limit = upTo;
            return recordStarts.stream().filter(p -> p > at && p < limit).count();
        }
    }

    /**
     * Reads a bucket file's bytes without changing them, handing its intact records to {@code sink}:
     * a damaged record is skipped up to the next intact one; what follows the last is a torn tail.
     */
    static Scan scan(ByteBuffer data, int maxPayload, java.util.function.Consumer<LogRecord> sink) {
        List<int[]> damages = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        int pos = 0;
        while (pos < data.limit()) {
            data.position(pos);
            if (RecordCodec.check(data, maxPayload) != null) {
                int next = RecordResync.next(data, pos + 1, maxPayload, Long.MIN_VALUE);
                if (next < 0) {
                    break;
                }
                damages.add(new int[] {pos, next - pos});
                pos = next;
                data.position(pos);
            }
            starts.add(pos);
            LogRecord r = RecordCodec.decode(data, pos);
            sink.accept(r);
            pos += r.size();
        }
        return new Scan(damages, starts, pos);
    }

    @Override
    public void delete(long bucket) throws IOException {
        FileChannel channel = open.remove(bucket);
        sizes.remove(bucket);
        if (channel != null) {
            dirty.remove(channel);
            channel.close();
        }
        Files.deleteIfExists(path(bucket));
    }

    @Override
    public SortedSet<Long> buckets() throws IOException {
        SortedSet<Long> out = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> list = Files.list(dir)) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX))
                    .forEach(n -> out.add(Long.parseLong(n.substring(0, n.length() - SUFFIX.length()))));
        }
        return out;
    }

    @Override
    public void sync(boolean force) throws IOException {
        if (!force) {
            return;
        }
        for (FileChannel channel : dirty.keySet()) {
            dirty.remove(channel);
            try {
                channel.force(false);
            } catch (ClosedChannelException e) {
                // deleted meanwhile
            }
        }
    }

    @Override
    public void close() {
        for (FileChannel channel : open.values()) {
            try {
                channel.close();
            } catch (IOException e) {
                log.warn("retry store {}: close failed: {}", dir, e.toString());
            }
        }
        open.clear();
    }
}
