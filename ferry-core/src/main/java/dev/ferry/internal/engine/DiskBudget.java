package dev.ferry.internal.engine;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.DiskUsage;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's disk limits: how many bytes its topic logs hold ({@link
 * EmbeddedEngineConfig#maxDataBytes()}) and how much space the disk has left ({@link
 * EmbeddedEngineConfig#minFreeDiskBytes()}, read at most every half second and again right after a
 * write failed). It says why a publish must be refused; the topic counts the refusal.
 *
 * <p>Threading: thread-safe without locks; topics call it under their own locks.
 */
final class DiskBudget {
    private static final Logger log = LoggerFactory.getLogger(DiskBudget.class);
    private static final long DISK_CHECK_NANOS = 500_000_000L;

    private final EmbeddedEngineConfig config;
    private final Path root;
    private final FileStore fileStore;
    private final AtomicLong storedBytes = new AtomicLong();
    private volatile long usableBytes = Long.MAX_VALUE;
    private volatile long lastDiskCheck;

    /** A budget for the disk of {@code fileStore} holding {@code root}; both null for a memory engine. */
    DiskBudget(EmbeddedEngineConfig config, Path root, FileStore fileStore) {
        this.config = config;
        this.root = root;
        this.fileStore = fileStore;
    }

    /** Adds {@code delta} bytes (negative: freed) stored by a topic log. */
    void addStoredBytes(long delta) {
        storedBytes.addAndGet(delta);
    }

    long storedBytes() {
        return storedBytes.get();
    }

    /** The bytes stored and the disk's free space, read now; empty for a memory engine. */
    Optional<DiskUsage> usage() {
        if (fileStore == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DiskUsage(storedBytes.get(), fileStore.getUsableSpace()));
        } catch (IOException e) {
            log.warn("cannot read free space of {}: {}", root, e.toString());
            return Optional.empty();
        }
    }

    /** Why a publish of {@code bytes} more must be refused for disk reasons, or null. */
    String refusal(long bytes) {
        long max = config.maxDataBytes();
        if (max > 0 && storedBytes.get() + bytes > max) {
            return "the data size limit is reached ("
                    + storedBytes.get()
                    + " bytes stored + "
                    + bytes
                    + " new > maxDataBytes "
                    + max
                    + ")";
        }
        long now = System.nanoTime();
        if (fileStore != null && now - lastDiskCheck > DISK_CHECK_NANOS) {
            lastDiskCheck = now;
            try {
                usableBytes = fileStore.getUsableSpace();
            } catch (IOException e) {
                log.warn("cannot read free space of {}: {}", root, e.toString());
            }
        }
        if (usableBytes - bytes < config.minFreeDiskBytes()) {
            return "only "
                    + usableBytes
                    + " bytes are free on the disk of "
                    + root
                    + "; "
                    + bytes
                    + " more would leave less than minFreeDiskBytes "
                    + config.minFreeDiskBytes();
        }
        return null;
    }

    /** Notes that a write to {@code topic}'s log failed: the free space is read again at once. */
    void reportWriteError(String topic, IOException e) {
        log.error("topic {}: write failed: {}", topic, e.toString());
        lastDiskCheck = 0;
    }
}
