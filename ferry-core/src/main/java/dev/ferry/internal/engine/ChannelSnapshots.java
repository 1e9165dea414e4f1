package dev.ferry.internal.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a channel's snapshots and starts a new journal generation with each one. The snapshot it
 * replaces is kept as {@code snapshot.prev}, with the journals written since it, so that a damaged
 * snapshot has a fallback (the previous one plus its journals); older journals are deleted. Reading
 * them back is {@link ChannelRecovery}'s job.
 *
 * <p>A snapshot is taken in two parts. Under the topic's lock the state is captured and the journal
 * rotated (its buffered records written to the old file, a new file opened): no disk is forced.
 * Then, on the caller's thread ({@link #write}) or on the engine's snapshot thread ({@link
 * #writeInBackground}), the files are made durable in this order, each step leaving a directory
 * that recovery reads correctly should the process or the machine stop there:
 *
 * <ol>
 *   <li>force the old journal (the sync thread also forces it before the new one, so a newer
 *       generation is never durable without the older);
 *   <li>write the snapshot to {@code snapshot.tmp} and force it;
 *   <li>rename {@code snapshot} to {@code snapshot.prev};
 *   <li>rename {@code snapshot.tmp} to {@code snapshot};
 *   <li>delete the journals older than {@code snapshot.prev}'s generation.
 * </ol>
 *
 * <p>Until step 4 the old snapshot (or, after step 3, {@code snapshot.prev}) is the one recovery
 * reads, and every journal since it is still there, the rotated one and the new one included.
 *
 * <p>Threading: {@link #write} and {@link #writeInBackground} are called under the owning topic's
 * lock only (housekeeping, close, recovery, channel creation). At most one snapshot is being
 * written at a time: {@link #writeInBackground} skips while one is, and {@link #write} and {@link
 * #awaitWritten} wait for it. The journal synchronizes with the sync thread itself.
 */
final class ChannelSnapshots {
    private static final Logger log = LoggerFactory.getLogger(ChannelSnapshots.class);

    private final Path dir;
    private final FileIo io;
    private final ChannelJournal journal;
    private long generation;
    /** The snapshot being made durable on the snapshot thread; done when there is none. */
    private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

    /** Snapshots of the channel in {@code dir}, whose current journal is of {@code generation}. */
    ChannelSnapshots(Path dir, FileIo io, ChannelJournal journal, long generation) {
        this.dir = dir;
        this.io = io;
        this.journal = journal;
        this.generation = generation;
    }

    /**
     * Writes the snapshot {@code state} makes for the next generation (after the journal's buffered
     * records reached the file) and starts that generation's journal, all on the calling thread;
     * waits first for a snapshot still being written in the background. A channel without a journal
     * has no snapshots.
     */
    void write(LongFunction<Snapshot> state) throws IOException {
        if (journal == ChannelJournal.NONE) {
            return;
        }
        awaitWritten();
        persist(capture(state));
    }

    /**
     * Captures the snapshot {@code state} makes and starts the next journal generation on the
     * calling thread, then makes the snapshot durable on {@code writer}, so that the topic's lock is
     * not held over an fsync. Does nothing while an earlier snapshot is still being written (the
     * journal grows a little longer meanwhile). A failure in the background is logged; the directory
     * stays recoverable and the next housekeeping round tries again.
     *
     * @return whether a snapshot was started
     */
    boolean writeInBackground(LongFunction<Snapshot> state, Executor writer) throws IOException {
        if (journal == ChannelJournal.NONE || !pending.isDone()) {
            return false;
        }
        Snapshot snapshot = capture(state);
        pending = CompletableFuture.runAsync(
                () -> {
                    try {
                        persist(snapshot);
                    } catch (IOException | RuntimeException e) {
                        log.error(
                                "{}: writing a snapshot failed (recovery reads the previous one and the journals"
                                        + " since it; the next housekeeping round tries again): {}",
                                dir,
                                e.toString());
                    }
                },
                writer);
        return true;
    }

    /** Waits until no snapshot is being written in the background. */
    void awaitWritten() throws IOException {
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while a snapshot of " + dir + " was being written", e);
        } catch (ExecutionException | CompletionException e) {
            throw new IOException("a snapshot of " + dir + " could not be written: " + e.getCause(), e);
        }
    }

    /** The part under the lock: the state for the next generation, and that generation's journal. */
    private Snapshot capture(LongFunction<Snapshot> state) throws IOException {
        journal.write();
        long next = generation + 1;
        Snapshot snapshot = state.apply(next);
        journal.rotate(next);
        generation = next;
        return snapshot;
    }

    /** The part that may run off the lock: steps 1 to 5 of the class comment. */
    private void persist(Snapshot snapshot) throws IOException {
        journal.forceRetired();
        Path written = snapshot.writeTemporary(dir, io);
        Path current = dir.resolve(Snapshot.FILE);
        Path previous = dir.resolve(Snapshot.PREVIOUS);
        // the snapshot being replaced becomes the fallback; its journals stay with it
        if (Files.exists(current)) {
            Files.move(current, previous, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(written, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        long next = snapshot.nextGeneration();
        long keepFrom = Files.exists(previous) ? Snapshot.generationIn(previous) : next;
        long deleteBelow = Math.min(keepFrom < 0 ? next : keepFrom, next);
        for (Path file : FileJournal.files(dir)) {
            if (FileJournal.generationOf(file) < deleteBelow) {
                Files.deleteIfExists(file);
            }
        }
    }
}
