package dev.ferry.internal.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.LongFunction;

/**
 * Writes a channel's snapshots and starts a new journal generation after each one. The snapshot it
 * replaces is kept as {@code snapshot.prev}, with the journals written since it, so that a damaged
 * snapshot has a fallback (the previous one plus its journals); older journals are deleted. Reading
 * them back is {@link ChannelRecovery}'s job.
 *
 * <p>Threading: called under the owning topic's lock only (housekeeping, close, recovery); the
 * journal it rotates synchronizes with the sync thread itself.
 */
final class ChannelSnapshots {
    private final Path dir;
    private final FileIo io;
    private final ChannelJournal journal;
    private long generation;

    /** Snapshots of the channel in {@code dir}, whose current journal is of {@code generation}. */
    ChannelSnapshots(Path dir, FileIo io, ChannelJournal journal, long generation) {
        this.dir = dir;
        this.io = io;
        this.journal = journal;
        this.generation = generation;
    }

    /**
     * Writes the snapshot {@code state} makes for the next generation (after the journal's buffered
     * records reached the file), then starts that generation's journal. A channel without a journal
     * has no snapshots.
     */
    void write(LongFunction<Snapshot> state) throws IOException {
        if (journal == ChannelJournal.NONE) {
            return;
        }
        journal.write();
        long next = generation + 1;
        Snapshot snapshot = state.apply(next);
        Path current = dir.resolve(Snapshot.FILE);
        Path previous = dir.resolve(Snapshot.PREVIOUS);
        // the snapshot being replaced becomes the fallback; its journals stay with it
        if (Files.exists(current)) {
            Files.move(current, previous, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        long keepFrom = Files.exists(previous) ? Snapshot.generationIn(previous) : next;
        snapshot.write(dir, io);
        journal.rotate(next);
        generation = next;
        for (Path file : FileJournal.files(dir)) {
            if (FileJournal.generationOf(file) < Math.min(keepFrom < 0 ? next : keepFrom, next)) {
                Files.deleteIfExists(file);
            }
        }
    }
}
