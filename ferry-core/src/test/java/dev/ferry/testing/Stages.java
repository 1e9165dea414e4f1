package dev.ferry.testing;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for engine stages in tests, on the test's own thread (never an event loop or a dispatch
 * thread): a stage that does not complete within {@link #TIMEOUT} fails the test, and a stage that
 * failed rethrows its cause, unwrapped, so that tests can assert on it.
 */
public final class Stages {
    /** How long a test waits for one stage. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Stages() {}

    /** The stage's value once it completes. */
    public static <T> T done(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new AssertionError("an engine stage did not complete within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an engine stage", e);
        }
    }
}
