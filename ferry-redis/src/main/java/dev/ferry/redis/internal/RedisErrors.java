package dev.ferry.redis.internal;

import dev.ferry.FerryException;
import dev.ferry.StorageException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Turns what Lettuce and Redis report into errors a person can act on, naming the instance's address
 * (a refused password, a full instance, an instance that cannot be reached), and keeps warnings about
 * an unreachable instance to one per interval.
 */
final class RedisErrors {
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    private final String address;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    RedisErrors(String address) {
        this.address = address;
    }

    /** The failure of a command on this instance, as the exception to hand to the caller. */
    RuntimeException translate(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof FerryException f) {
            return f;
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof RedisCommandExecutionException) {
            if (message.startsWith("OOM")) {
                return new StorageException("Redis at " + address + " refused the write: it is out of memory (its"
                        + " maxmemory is reached; free memory, raise maxmemory, or consume the backlog): " + message);
            }
            if (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS")) {
                return new StorageException("Redis at " + address
                        + " refused the credentials: give the right user and password in the engine URI"
                        + " (redis://user:password@host:port): " + message);
            }
            if (message.startsWith("READONLY")) {
                return new StorageException("Redis at " + address
                        + " is a read-only replica (a failover may be under way; it is retried): " + message);
            }
            return new StorageException("Redis at " + address + " refused a command: " + message);
        }
        if (t instanceof RedisCommandTimeoutException) {
            return new StorageException("Redis at " + address + " did not answer in time: " + message);
        }
        if (t instanceof RedisConnectionException || t instanceof RedisException) {
            return new StorageException("Redis at " + address + " is not reachable: " + message);
        }
        return new StorageException("Redis at " + address + ": " + message, t);
    }

    /** Logs {@code failure} as a warning unless one was logged in the last ten seconds. */
    void warnRateLimited(Logger log, String what, Throwable failure) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn(
                    "{} failed, retrying until Redis answers again (this warning at most every 10 s): {}",
                    what,
                    translate(failure).getMessage());
        }
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
