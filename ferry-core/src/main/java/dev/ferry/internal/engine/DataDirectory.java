package dev.ferry.internal.engine;

import dev.ferry.StorageException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * The embedded engine's data directory: checks its format, and holds an exclusive lock on it for
 * the life of the engine so that a second process (or a second engine in this one) is refused with
 * a message naming the holder.
 */
final class DataDirectory implements AutoCloseable {
    static final String FORMAT_FILE = "FORMAT";
    static final String LOCK_FILE = "LOCK";
    static final int FORMAT_VERSION = 1;
    private static final String FORMAT_TEXT = "ferry-data " + FORMAT_VERSION + "\n";

    final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens {@code root}, creating it when missing.
     *
     * @throws StorageException when it is in use, has an unknown format, or holds nsqd's files
     */
    static DataDirectory open(Path root) {
        try {
            Files.createDirectories(root);
            checkFormat(root);
            Locked locked = lock(root, "stop it or choose another directory");
            FileChannel channel = locked.channel();
            String me = "pid "
                    + ProcessHandle.current().pid()
                    + " on "
                    + hostName()
                    + " since "
                    + Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new DataDirectory(root, channel, locked.lock());
        } catch (IOException e) {
            throw new StorageException("cannot open data directory " + root.toAbsolutePath() + ": " + e, e);
        }
    }

    /**
     * Takes the lock a running engine holds on {@code root}; when another process (or this one)
     * holds it, refuses naming the holder the lock file records and {@code advice}, what to do.
     */
    static Locked lock(Path root, String advice) throws IOException {
        Path lockPath = root.resolve(LOCK_FILE);
        FileChannel channel = FileChannel.open(
                lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String holder = Files.readString(lockPath, StandardCharsets.UTF_8).trim();
            channel.close();
            throw new StorageException("data directory " + root.toAbsolutePath() + " is in use by a running Ferry ("
                    + (holder.isEmpty() ? "holder unknown" : holder) + "); " + advice);
        }
        return new Locked(channel, lock);
    }

    /** A data directory's lock, held until closed. */
    record Locked(FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            lock.release();
            channel.close();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }

    private static void checkFormat(Path root) throws IOException {
        Path format = root.resolve(FORMAT_FILE);
        if (Files.exists(format)) {
            String text = Files.readString(format, StandardCharsets.UTF_8).trim();
            if (!text.equals(FORMAT_TEXT.trim())) {
                throw new StorageException("data directory "
                        + root.toAbsolutePath()
                        + " has format '"
                        + text
                        + "'; this Ferry reads '"
                        + FORMAT_TEXT.trim()
                        + "' only");
            }
            return;
        }
        List<String> names;
        try (Stream<Path> list = Files.list(root)) {
            names = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> nsqd = names.stream()
                .filter(n -> n.contains(".diskqueue.") || n.equals("nsqd.dat"))
                .toList();
        if (!nsqd.isEmpty()) {
            throw new StorageException("data directory "
                    + root.toAbsolutePath()
                    + " holds nsqd's files ("
                    + String.join(", ", nsqd.subList(0, Math.min(3, nsqd.size())))
                    + (nsqd.size() > 3 ? ", ..." : "")
                    + "); Ferry does not read nsqd's diskqueue format: drain it with nsqd or give Ferry"
                    + " an empty directory");
        }
        List<String> foreign = names.stream().filter(n -> !n.equals(LOCK_FILE)).toList();
        if (!foreign.isEmpty()) {
            throw new StorageException("data directory "
                    + root.toAbsolutePath()
                    + " is not empty and has no "
                    + FORMAT_FILE
                    + " file (found "
                    + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                    + (foreign.size() > 3 ? ", ..." : "")
                    + "); refusing to use a directory of unknown format");
        }
        Path tmp = root.resolve(FORMAT_FILE + ".tmp");
        Files.writeString(tmp, FORMAT_TEXT, StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, format, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }
}
