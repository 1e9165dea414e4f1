package dev.ferry.internal.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel journal in files {@code journal-<generation>.log}. Each record is {@code int32 length |
 * int32 CRC32C | byte type | fields}. Buffer access is synchronized so the sync thread can write
 * back while the topic lock holder appends.
 */
final class FileJournal implements ChannelJournal {
    private static final Logger log = LoggerFactory.getLogger(FileJournal.class);
    private static final String PREFIX = "journal-";
    private static final String SUFFIX = ".log";

    private final Path dir;
    private final FileIo io;
    private FileChannel channel;
    private Path path;
    /** Made on the first entry: a channel that journals nothing costs no buffer. */
    private ByteBuffer buffer = ByteBuffer.allocate(0);

    /** Files of ended generations, written but perhaps not yet forced ({@link #forceRetired}). */
    private final List<FileChannel> retired = new ArrayList<>();

    private long written;
    private boolean dirty;
    private final CRC32C crc = new CRC32C();

    private FileJournal(Path dir, FileIo io) {
        this.dir = dir;
        this.io = io;
    }

    /** Opens a new, empty journal of {@code generation} in {@code dir}. */
    static FileJournal create(Path dir, FileIo io, long generation) throws IOException {
        FileJournal journal = new FileJournal(dir, io);
        journal.openGeneration(generation);
        return journal;
    }

    private void openGeneration(long generation) throws IOException {
        path = dir.resolve(String.format("%s%012d%s", PREFIX, generation, SUFFIX));
        channel = io.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        written = 0;
    }

    /** The journal files in {@code dir} with their generations, oldest first. */
    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
                    })
                    .sorted()
                    .toList();
        }
    }

    /** The generation in a journal file's name. */
    static long generationOf(Path file) {
        String n = file.getFileName().toString();
        return Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
    }

    private ByteBuffer begin(byte type, int fields) {
        int need = 9 + fields;
        if (buffer.remaining() < need) {
            ByteBuffer bigger =
                    ByteBuffer.allocate(Math.max(64 * 1024, Math.max(buffer.capacity() * 2, buffer.position() + need)));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
        buffer.putInt(1 + fields);
        buffer.putInt(0);
        buffer.put(type);
        return buffer;
    }

    private void end(int fields) {
        int payload = buffer.position() - fields - 1;
        crc.reset();
        crc.update(buffer.array(), payload, fields + 1);
        buffer.putInt(payload - 4, (int) crc.getValue());
        dirty = true;
    }

    @Override
    public synchronized void cursor(long offset, long seq) {
        begin(CURSOR, 16).putLong(offset).putLong(seq);
        end(16);
    }

    @Override
    public synchronized void deliver(long key, int attempts) {
        begin(DELIVER, 12).putLong(key).putInt(attempts);
        end(12);
    }

    @Override
    public synchronized void finish(long key) {
        begin(FINISH, 8).putLong(key);
        end(8);
    }

    @Override
    public synchronized void requeue(long key, long dueAt) {
        begin(REQUEUE, 16).putLong(key).putLong(dueAt);
        end(16);
    }

    @Override
    public synchronized void move(long key, long bucket, long pos, int attempts, long dueAt, long id, long timestamp) {
        begin(MOVE, 52)
                .putLong(key)
                .putLong(bucket)
                .putLong(pos)
                .putInt(attempts)
                .putLong(dueAt)
                .putLong(id)
                .putLong(timestamp);
        end(52);
    }

    @Override
    public synchronized void loaded(long bucket) {
        begin(LOADED, 8).putLong(bucket);
        end(8);
    }

    @Override
    public synchronized void emptied() {
        begin(EMPTIED, 0);
        end(0);
    }

    @Override
    public synchronized void write() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                written += channel.write(buffer);
            }
        } finally {
            buffer.compact();
        }
    }

    @Override
    public void sync(boolean force) throws IOException {
        if (force) {
            // an older generation is durable before any record of the newer one is
            forceRetired();
        }
        FileChannel target;
        synchronized (this) {
            write();
            if (!dirty) {
                return;
            }
            dirty = false;
            target = channel;
        }
        if (force) {
            try {
                target.force(false);
            } catch (java.nio.channels.ClosedChannelException e) {
                // rotated meanwhile; rotation forces the old file
            }
        }
    }

    @Override
    public synchronized long size() {
        return written + buffer.position();
    }

    @Override
    public synchronized void rotate(long generation) throws IOException {
        write();
        retired.add(channel);
        openGeneration(generation);
    }

    @Override
    public void forceRetired() throws IOException {
        List<FileChannel> files;
        synchronized (this) {
            if (retired.isEmpty()) {
                return;
            }
            files = List.copyOf(retired);
        }
        // forced outside the monitor, so that the topic's thread keeps appending meanwhile
        for (FileChannel file : files) {
            try {
                file.force(false);
            } catch (java.nio.channels.ClosedChannelException e) {
                // another thread forced it, then closed it
            }
        }
        synchronized (this) {
            for (FileChannel file : files) {
                if (retired.remove(file)) {
                    file.close();
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            forceRetired();
            write();
            channel.force(false);
            channel.close();
        } catch (IOException e) {
            log.warn("journal {}: close failed: {}", path, e.toString());
        }
    }

    /** Receives the records of a journal file in order. */
    interface Visitor {
        void cursor(long offset, long seq);

        void deliver(long key, int attempts);

        void finish(long key);

        void requeue(long key, long dueAt);

        void move(long key, long bucket, long pos, int attempts, long dueAt, long id, long timestamp);

        void loaded(long bucket) throws IOException;

        void emptied();

        /**
         * A damaged stretch comes next: the records in it are lost, and the records after it follow
         * (whatever they were, the lost ones may have been deliveries).
         */
        default void damaged() {}
    }

    /** The payload length (type byte included) of each record type; 0 for an unknown type. */
    private static int lengthOf(byte type) {
        return switch (type) {
            case CURSOR, REQUEUE -> 17;
            case DELIVER -> 13;
            case FINISH, LOADED -> 9;
            case MOVE -> 53;
            case EMPTIED -> 1;
            default -> 0;
        };
    }

    /** Whether an intact record starts at {@code at}: its length fits its type and its CRC holds. */
    private static boolean intactAt(ByteBuffer data, int at, CRC32C crc) {
        if (at + 9 > data.limit()) {
            return false;
        }
        int length = data.getInt(at);
        if (length < 1 || length > 64 || at + 8L + length > data.limit() || lengthOf(data.get(at + 8)) != length) {
            return false;
        }
        crc.reset();
        crc.update(data.slice(at + 8, length));
        return (int) crc.getValue() == data.getInt(at + 4);
    }

    /**
     * A damaged stretch inside a journal file: bytes from {@code at} holding no intact record, with
     * an intact record after them.
     */
    record Damage(long at, long length) {}

    /**
     * What {@link #scan} found in a journal file.
     *
     * @param records intact records
     * @param damages damaged stretches with intact records after them
     * @param tornAt where the torn tail starts (the file's size: none)
     * @param tornBytes bytes after the last intact record
     */
    record Scan(long records, List<Damage> damages, long tornAt, long tornBytes) {}

    /**
     * Reads a journal file without changing it, handing its intact records to {@code visitor} in
     * order. A damaged record is skipped up to the next intact one (a record's length must fit its
     * type, and its CRC32C hold); what follows the last intact record is a torn tail.
     */
    static Scan scan(Path file, Visitor visitor) throws IOException {
        return scan(ByteBuffer.wrap(Files.readAllBytes(file)), visitor);
    }

    private static Scan scan(ByteBuffer data, Visitor visitor) throws IOException {
        CRC32C crc = new CRC32C();
        List<Damage> damages = new ArrayList<>();
        long count = 0;
        int pos = 0;
        while (pos < data.limit()) {
            if (!intactAt(data, pos, crc)) {
                int next = pos + 1;
                while (next < data.limit() && !intactAt(data, next, crc)) {
                    next++;
                }
                if (next >= data.limit()) {
                    break;
                }
                damages.add(new Damage(pos, next - pos));
                visitor.damaged();
                pos = next;
            }
            int length = data.getInt(pos);
            data.position(pos + 9);
            switch (data.get(pos + 8)) {
                case CURSOR -> visitor.cursor(data.getLong(), data.getLong());
                case DELIVER -> visitor.deliver(data.getLong(), data.getInt());
                case FINISH -> visitor.finish(data.getLong());
                case REQUEUE -> visitor.requeue(data.getLong(), data.getLong());
                case MOVE ->
                    visitor.move(
                            data.getLong(),
                            data.getLong(),
                            data.getLong(),
                            data.getInt(),
                            data.getLong(),
                            data.getLong(),
                            data.getLong());
                case LOADED -> visitor.loaded(data.getLong());
                default -> visitor.emptied();
            }
            pos += 8 + length;
            count++;
        }
        return new Scan(count, damages, pos, data.limit() - pos);
    }

    /**
     * Replays a journal file after a restart: {@link #scan}s it, copies each damaged stretch into
     * {@link Quarantine} (one error line each; the stretch loses its records only, so a message may
     * be delivered again, never dropped), and ends at a torn tail with a warning. Findings go into
     * {@code counts}.
     *
     * @return the number of records replayed
     */
    static long replay(Path file, Visitor visitor, DamageCounts counts) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
        Scan scan = scan(data, visitor);
        for (Damage d : scan.damages()) {
            Path copy = Quarantine.save(file, d.at(), data.slice((int) d.at(), (int) d.length()));
            counts.damaged(1, d.length());
            log.error(
                    "journal {} is damaged at byte {}: skipped {} bytes (at least one state change lost; its"
                            + " message may be delivered again); the damaged bytes are kept in {}",
                    file,
                    d.at(),
                    d.length(),
                    copy.getFileName());
        }
        if (scan.tornBytes() > 0) {
            counts.torn(scan.tornBytes());
            log.warn(
                    "journal {}: ignored {} bytes of a torn tail at byte {}",
                    file.getFileName(),
                    scan.tornBytes(),
                    scan.tornAt());
        }
        return scan.records();
    }
}
