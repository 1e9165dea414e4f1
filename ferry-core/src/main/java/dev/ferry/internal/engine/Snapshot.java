package dev.ferry.internal.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * A channel's state at one moment, written to {@code snapshot} (via a temporary file, fsync and
 * rename) so that the journal before it can be dropped. In-flight messages are recorded as ready:
 * after a restart they are delivered again with their attempts.
 */
record Snapshot(
        long nextGeneration,
        long cursorOffset,
        long cursorSeq,
        long messageCount,
        long requeueCount,
        long timeoutCount,
        long dropCount,
        List<Long> loadedBuckets,
        List<Item> items) {

    static final String FILE = "snapshot";
    /** The snapshot before the newest, kept with its journals so that a damaged newest has a fallback. */
    static final String PREVIOUS = "snapshot.prev";
    /** Bytes of one item. */
    private static final int ITEM_BYTES = 8 + 8 + 8 + 4 + 8 + 8 + 8;

    private static final long MAGIC = 0x46525953_4e415031L; // "FRYSNAP1"

    /** One tracked message. */
    record Item(long key, long id, long timestamp, int attempts, long dueAt, long bucket, long pos) {}

    /** Writes this snapshot to {@code dir} in one step: {@link #writeTemporary}, then renamed into place. */
    void write(Path dir, FileIo io) throws IOException {
        Files.move(
                writeTemporary(dir, io),
                dir.resolve(FILE),
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Writes this snapshot to {@code snapshot.tmp} in {@code dir} and forces it to disk; recovery never
     * reads that file, so renaming it into place is the caller's step.
     *
     * @return the file written
     */
    Path writeTemporary(Path dir, FileIo io) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel channel = io.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
                OutputStream raw = Channels.newOutputStream(channel)) {
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(
                    new java.io.BufferedOutputStream(new CheckedOutputStream(raw, crc), 64 * 1024));
            out.writeLong(MAGIC);
            out.writeLong(nextGeneration);
            out.writeLong(cursorOffset);
            out.writeLong(cursorSeq);
            out.writeLong(messageCount);
            out.writeLong(requeueCount);
            out.writeLong(timeoutCount);
            out.writeLong(dropCount);
            out.writeInt(loadedBuckets.size());
            for (long b : loadedBuckets) {
                out.writeLong(b);
            }
            out.writeInt(items.size());
            for (Item item : items) {
                out.writeLong(item.key);
                out.writeLong(item.id);
                out.writeLong(item.timestamp);
                out.writeInt(item.attempts);
                out.writeLong(item.dueAt);
                out.writeLong(item.bucket);
                out.writeLong(item.pos);
            }
            out.flush();
            long value = crc.getValue();
            new DataOutputStream(raw).writeLong(value);
            channel.force(true);
        }
        return tmp;
    }

    /** Reads the snapshot in {@code dir}, or null when there is none. */
    static Snapshot read(Path dir) throws IOException {
        return readFile(dir.resolve(FILE));
    }

    /**
     * The generation (of the journal started with it) a snapshot file names in its header, or -1
     * when the file is missing or not a snapshot.
     */
    static long generationIn(Path file) {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            return in.readLong() == MAGIC ? in.readLong() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Reads snapshot file {@code file}, or null when there is none.
     *
     * @throws IOException when it cannot be read or is damaged (wrong magic, cut short, counts that
     *     do not fit the file, or a checksum that fails)
     */
    static Snapshot readFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        long fileSize = Files.size(file);
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(file)) {
            DataInputStream in =
                    new DataInputStream(new CheckedInputStream(new java.io.BufferedInputStream(raw, 64 * 1024), crc));
            if (in.readLong() != MAGIC) {
                throw new IOException("not a Ferry channel snapshot: " + file);
            }
            long nextGeneration = in.readLong();
            long cursorOffset = in.readLong();
            long cursorSeq = in.readLong();
            long messageCount = in.readLong();
            long requeueCount = in.readLong();
            long timeoutCount = in.readLong();
            long dropCount = in.readLong();
            int loaded = in.readInt();
            if (loaded < 0 || loaded * 8L > fileSize) {
                throw new IOException("channel snapshot " + file + " is corrupt (bucket count " + loaded + ")");
            }
            List<Long> buckets = new ArrayList<>(loaded);
            for (int i = 0; i < loaded; i++) {
                buckets.add(in.readLong());
            }
            int count = in.readInt();
            if (count < 0 || (long) count * ITEM_BYTES > fileSize) {
                throw new IOException("channel snapshot " + file + " is corrupt (item count " + count + ")");
            }
            List<Item> items = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                items.add(new Item(
                        in.readLong(),
                        in.readLong(),
                        in.readLong(),
                        in.readInt(),
                        in.readLong(),
                        in.readLong(),
                        in.readLong()));
            }
            long expected = crc.getValue();
            long stored = new DataInputStream(in).readLong();
            if (stored != expected) {
                throw new IOException("channel snapshot " + file + " is corrupt (checksum mismatch)");
            }
            return new Snapshot(
                    nextGeneration,
                    cursorOffset,
                    cursorSeq,
                    messageCount,
                    requeueCount,
                    timeoutCount,
                    dropCount,
                    buckets,
                    items);
        }
    }
}
