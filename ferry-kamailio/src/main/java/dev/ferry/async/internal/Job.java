package dev.ferry.async.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/** A unit of work for a worker group, with the future its caller holds. */
public final class Job {
    /** The work itself. */
    @FunctionalInterface
    public interface Body {
        /** Does the work; throwing fails the job's future. */
        void run() throws Exception;
    }

    private final String description;
    private final Body body;
    private final CompletableFuture<Void> future = new CompletableFuture<>();

    /** A job that runs {@code body}; {@code description} names it in logs and errors. */
    public Job(String description, Body body) {
        this.description = description;
        this.body = body;
    }

    /** What the job runs, for logs and errors (e.g. {@code route RESUME}). */
    public String description() {
        return description;
    }

    /** Completes when the job has run: normally, or with what it threw, or cancelled. */
    public CompletableFuture<Void> future() {
        return future;
    }

    /** Runs the body and completes the future; returns whether it succeeded. */
    boolean run() {
        try {
            body.run();
            future.complete(null);
            return true;
        } catch (Throwable e) {
            future.completeExceptionally(e);
            return false;
        }
    }

    /** Fails the future because the job will never run. */
    public void cancel(String why) {
        future.completeExceptionally(new CancellationException(description + " cancelled: " + why));
    }
}
