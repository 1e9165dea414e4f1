package dev.ferry.internal.engine;

import dev.ferry.support.DaemonThreads;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The engine's one thread ({@code ferry-snapshots-1}) that writes, forces and renames the snapshots
 * housekeeping captured, so that a topic's lock is never held over those fsyncs ({@link
 * ChannelSnapshots} documents the order of the steps). Snapshots run one at a time, in the order
 * they were captured; the thread starts with the first one.
 *
 * <p>Threading: {@link #execute} from any thread; {@link #close} once, after every channel's own
 * snapshot has been awaited. A task handed over after close runs on the caller's thread, so that no
 * captured snapshot is dropped.
 */
final class SnapshotWriter implements Executor, AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(DaemonThreads.named("ferry-snapshots-"));

    @Override
    public void execute(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
