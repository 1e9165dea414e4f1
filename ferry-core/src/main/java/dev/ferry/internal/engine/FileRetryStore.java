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
    private final Long2ObjectOpenHashMap<FileChannel> open = new Long2ObjectOpenHashMap<>();
    private final Long2LongOpenHashMap sizes = new Long2LongOpenHashMap();
    private final Map<FileChannel, Boolean> dirty = new ConcurrentHashMap<>();
    private ByteBuffer buffer = ByteBuffer.allocate(4096);

    FileRetryStore(Path dir, FileIo io, int maxPayload) {
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
        if (!Files.exists(path(bucket))) {
            return out;
        }
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(path(bucket)));
        while (data.hasRemaining()) {
            RecordCodec.Problem problem = RecordCodec.check(data, maxPayload);
            if (problem != null) {
                log.warn(
                        "retry bucket {} in {}: cut off {} bytes of a torn or corrupt tail ({}) at byte {}",
                        bucket,
                        dir,
                        data.remaining(),
                        problem,
                        data.position());
                FileChannel channel = channel(bucket);
                channel.truncate(data.position());
                sizes.put(bucket, (long) data.position());
                break;
            }
            out.add(RecordCodec.decode(data, data.position()));
        }
        return out;
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
