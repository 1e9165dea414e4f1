package dev.ferry.support;

import dev.ferry.internal.engine.DataCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Checks the data directory of a stopped embedded engine for damage (what {@code ferry check}
 * runs), and repairs it the way the engine's recovery does. Not for applications.
 *
 * <p>Threading: each method works on the caller's thread and blocks until the whole directory was
 * read; {@code progress} is called on that thread.
 */
public final class DataChecks {
    private DataChecks() {}

    /**
     * What the check found in one file.
     *
     * @param file the file
     * @param kind what it is: {@code segment}, {@code journal}, {@code snapshot} or {@code retry bucket}
     * @param damagedStretches runs of damaged bytes with intact records after them (for a snapshot,
     *     1 when it cannot be read)
     * @param quarantinedStretches those of them whose bytes are already in a quarantine file (the
     *     broker's recovery, or {@code --repair}, found them before)
     * @param recordsLost records in those stretches: exact for segments, at least one per stretch
     *     otherwise
     * @param recordsKept intact records after a damaged stretch
     * @param damagedBytes bytes in those stretches
     * @param tornBytes bytes after the last intact record: a torn tail, which recovery cuts off (the
     *     normal trace of a crash in the newest file)
     * @param detail one line in plain words
     */
    public record Finding(
            Path file,
            String kind,
            long damagedStretches,
            long quarantinedStretches,
            long recordsLost,
            long recordsKept,
            long damagedBytes,
            long tornBytes,
            String detail) {

        /** Whether the file holds damage not yet quarantined (a torn tail alone is not damage). */
        public boolean damaged() {
            return damagedStretches > quarantinedStretches;
        }
    }

    /**
     * How far the check is.
     *
     * @param filesDone files read so far
     * @param filesTotal files to read
     * @param bytesDone bytes read so far
     * @param bytesTotal bytes to read
     */
    public record Progress(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {}

    /**
     * What the check found.
     *
     * @param files files read
     * @param bytes bytes read
     * @param findings the files with damage or a torn tail, in the directory's order
     */
    public record Report(long files, long bytes, List<Finding> findings) {
        /** Copies the findings. */
        public Report {
            findings = List.copyOf(findings);
        }

        /** Whether any file holds damage not yet quarantined (torn tails alone do not count). */
        public boolean damaged() {
            return findings.stream().anyMatch(Finding::damaged);
        }
    }

    /**
     * Reads every segment, snapshot, journal and retry bucket under {@code dataDir} without changing
     * anything.
     *
     * @param maxMessageBytes the longest message body the directory may hold (the engine's {@code
     *     max-message-bytes})
     * @throws dev.ferry.StorageException when the directory is missing, of an unknown format, or in
     *     use by a running engine (its lock is held)
     */
    public static Report check(Path dataDir, int maxMessageBytes, Consumer<Progress> progress) {
        return DataCheck.check(dataDir, maxMessageBytes, progress);
    }

    /**
     * Repairs {@code dataDir} as the engine's recovery does, then checks it again: every damaged
     * stretch is copied into a quarantine file next to its file (the file keeps it, and reads skip
     * it), torn tails are cut off, damaged snapshots are replaced from the previous snapshot and the
     * journals; the engine is opened and closed once for that.
     *
     * @return what the check finds after the repair (damage inside files stays there, quarantined)
     * @throws dev.ferry.StorageException as {@link #check}, or when recovery fails
     */
    public static Report repair(Path dataDir, int maxMessageBytes, Consumer<Progress> progress) {
        return DataCheck.repair(dataDir, maxMessageBytes, progress);
    }
}
