package dev.ferry.internal.engine;

import dev.ferry.SyncPolicy;
import dev.ferry.spi.EngineTimings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that forces data to disk, so that no publisher or consumer ever waits on an
 * fsync while holding a lock.
 *
 * <p>Under {@link SyncPolicy#ALWAYS}, publishers ask for a sync and wait on the returned future;
 * every request that arrives while one round runs is served by the next round, so concurrent
 * publishers share one fsync (group commit). Every {@code interval} it also writes back journals
 * and, unless the policy is {@link SyncPolicy#NEVER}, forces everything written.
 *
 * <p>Retry stores are forced before logs and logs before journals, so a journal never points at
 * data that a machine crash could lose.
 */
final class SyncService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncService.class);

    private final SyncPolicy policy;
    private final EngineTimings timings;
    private final long intervalNanos;
    private final List<Set<Syncable>> tiers =
            List.of(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
    private final Queue<CompletableFuture<Void>> waiters = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile IOException lastError;

    /** Tier of retry stores, written and forced first. */
    static final int RETRY = 0;

    /** Tier of topic logs. */
    static final int LOG = 1;

    /** Tier of channel journals, forced last. */
    static final int JOURNAL = 2;

    SyncService(SyncPolicy policy, Duration interval) {
        this(policy, interval, new EngineTimings() {});
    }

    /** A sync thread that tells {@code timings} how long each forcing round took. */
    SyncService(SyncPolicy policy, Duration interval, EngineTimings timings) {
        this.policy = policy;
        this.timings = timings;
        this.intervalNanos = interval.toNanos();
        this.thread = new Thread(this::run, "ferry-sync");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void add(int tier, Syncable member) {
        tiers.get(tier).add(member);
    }

    void remove(int tier, Syncable member) {
        tiers.get(tier).remove(member);
    }

    /** A future that completes once everything written before this call is forced to disk. */
    CompletableFuture<Void> requestSync() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(f);
        if (closed) {
            drainWith(new IOException("engine closed"));
        }
        LockSupport.unpark(thread);
        return f;
    }

    private void run() {
        long next = System.nanoTime() + intervalNanos;
        while (!closed) {
            long wait = next - System.nanoTime();
            if (waiters.isEmpty() && wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            List<CompletableFuture<Void>> batch = new ArrayList<>();
            CompletableFuture<Void> f;
            while ((f = waiters.poll()) != null) {
                batch.add(f);
            }
            boolean periodic = System.nanoTime() - next >= 0;
            boolean force = policy != SyncPolicy.NEVER || !batch.isEmpty();
            long started = System.nanoTime();
            IOException error = syncAll(force);
            if (force && hasMembers()) {
                timings.synced(System.nanoTime() - started);
            }
            for (CompletableFuture<Void> w : batch) {
                if (error == null) {
                    w.complete(null);
                } else {
                    w.completeExceptionally(error);
                }
            }
            if (periodic) {
                next = System.nanoTime() + intervalNanos;
            }
        }
    }

    /** Whether anything is registered to be forced (a memory engine has nothing). */
    private boolean hasMembers() {
        for (Set<Syncable> tier : tiers) {
            if (!tier.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private IOException syncAll(boolean force) {
        IOException error = null;
        for (Set<Syncable> tier : tiers) {
            for (Syncable s : tier) {
                try {
                    s.sync(force);
                } catch (IOException e) {
                    error = e;
                    if (lastError == null || !e.toString().equals(lastError.toString())) {
                        log.error("sync failed: {}", e.toString());
                    }
                }
            }
        }
        lastError = error;
        return error;
    }

    private void drainWith(IOException error) {
        CompletableFuture<Void> f;
        while ((f = waiters.poll()) != null) {
            f.completeExceptionally(error);
        }
    }

    /** Stops the thread after a last round that forces everything. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IOException error = syncAll(policy != SyncPolicy.NEVER);
        CompletableFuture<Void> f;
        while ((f = waiters.poll()) != null) {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        }
    }
}
