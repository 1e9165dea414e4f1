package dev.ferry.support;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads for a bus's executors, so that an unclosed bus does not keep the JVM alive.
 *
 * <p>Threading: the factories and executors are thread-safe.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** A factory of daemon threads named {@code prefix} followed by 1, 2, 3, ... */
    public static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** An executor that runs each task on a new daemon thread called {@code name}. */
    public static Executor each(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        };
    }
}
