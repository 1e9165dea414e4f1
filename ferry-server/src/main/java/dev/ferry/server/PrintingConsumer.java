package dev.ferry.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.Message;
import dev.ferry.MessageHandler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The handler behind {@code sub}, {@code tail} and {@code consume}: writes each message to standard
 * output, one line per message (the body, or a JSON object with {@code --json}), finishes it once
 * the line is flushed, and tells the command's thread when to stop: after {@code limit} messages,
 * after an idle time with nothing in flight, or when standard output is gone.
 *
 * <p>Threading: {@link #handler()} runs on the bus's handler threads (several at once with a max in
 * flight above 1; each line is written whole); {@link #await(Duration)} blocks the command's thread;
 * {@link #activity()} may be called from any thread.
 */
final class PrintingConsumer {
    /** Why {@link #await(Duration)} returned. */
    enum End {
        /** The message limit was reached. */
        COUNT,
        /** Nothing arrived and nothing was in flight for the idle timeout. */
        IDLE,
        /** The subscription never became ready within the idle timeout plus {@link #SUBSCRIBE_ALLOWANCE}. */
        NOT_SUBSCRIBED,
        /** Standard output cannot be written any more (e.g. the reader of a pipe exited). */
        OUTPUT_CLOSED,
        /** The waiting thread was interrupted. */
        INTERRUPTED
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How much longer than the idle timeout a consumer waits for its subscription to become ready
     * before it gives up: connecting is not idleness, but a broker that never answers ends the wait.
     */
    static final Duration SUBSCRIBE_ALLOWANCE = Duration.ofSeconds(30);

    private final PrintWriter out;
    private final boolean json;
    private final long limit;
    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong printed = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int running;
    private final long startNanos = System.nanoTime();
    private long lastActivityNanos = startNanos;
    private boolean subscribed;
    private boolean outputClosed;

    /**
     * @param out standard output
     * @param json whether to write JSON objects instead of bodies
     * @param limit the most messages to write, 0 for no limit
     */
    PrintingConsumer(PrintWriter out, boolean json, long limit) {
        this.out = out;
        this.json = json;
        this.limit = limit;
    }

    /** The messages written so far. */
    long printed() {
        return printed.get();
    }

    /**
     * The subscription is ready: the idle time counts from now. Until then a consumer is connecting,
     * not idle, and {@link #await} ends for idleness only after the idle timeout plus {@link
     * #SUBSCRIBE_ALLOWANCE} from its start.
     */
    void subscribed() {
        lock.lock();
        try {
            subscribed = true;
            lastActivityNanos = System.nanoTime();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Restarts the idle time, as a message does (a wakeup connection, for instance). */
    void activity() {
        lock.lock();
        try {
            lastActivityNanos = System.nanoTime();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The handler: writes the message and finishes it. A message past the limit is requeued at once
     * for another consumer; so is one that could not be written because standard output is gone, and
     * every message that arrives after that, without trying to write it.
     */
    MessageHandler handler() {
        return message -> {
            if (limit > 0 && taken.incrementAndGet() > limit) {
                message.takeControl();
                message.requeue(Duration.ZERO);
                return;
            }
            started();
            try {
                if (isOutputClosed()) {
                    message.takeControl();
                    message.requeue(Duration.ZERO);
                    return;
                }
                String line = json ? json(message) : new String(message.body(), StandardCharsets.UTF_8);
                boolean failed;
                synchronized (out) {
                    out.println(line);
                    out.flush();
                    failed = out.checkError();
                }
                if (failed) {
                    // the reader is gone: the message goes back to the channel, and the command ends
                    message.takeControl();
                    message.requeue(Duration.ZERO);
                    outputClosed();
                    return;
                }
                printed.incrementAndGet();
            } finally {
                finished();
            }
        };
    }

    private boolean isOutputClosed() {
        lock.lock();
        try {
            return outputClosed;
        } finally {
            lock.unlock();
        }
    }

    private void outputClosed() {
        lock.lock();
        try {
            outputClosed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void started() {
        lock.lock();
        try {
            running++;
            lastActivityNanos = System.nanoTime();
        } finally {
            lock.unlock();
        }
    }

    private void finished() {
        lock.lock();
        try {
            running--;
            lastActivityNanos = System.nanoTime();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until the limit is reached, standard output is closed, or (with a positive {@code
     * idleTimeout}) nothing arrived and nothing ran for that long.
     */
    End await(Duration idleTimeout) {
        long idleNanos = idleTimeout.toNanos();
        lock.lock();
        try {
            while (true) {
                if (outputClosed) {
                    return End.OUTPUT_CLOSED;
                }
                if (limit > 0 && printed.get() >= limit) {
                    return End.COUNT;
                }
                if (idleNanos <= 0) {
                    changed.await();
                    continue;
                }
                long now = System.nanoTime();
                if (!subscribed && running == 0) {
                    long waited = now - startNanos;
                    long allowed = idleNanos + SUBSCRIBE_ALLOWANCE.toNanos();
                    if (waited >= allowed) {
                        return End.NOT_SUBSCRIBED;
                    }
                    changed.awaitNanos(allowed - waited);
                    continue;
                }
                long idleFor = now - lastActivityNanos;
                if (running == 0 && idleFor >= idleNanos) {
                    return End.IDLE;
                }
                changed.awaitNanos(running == 0 ? idleNanos - idleFor : idleNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return End.INTERRUPTED;
        } finally {
            lock.unlock();
        }
    }

    private static String json(Message message) throws IOException {
        ObjectNode node = JSON.createObjectNode()
                .put("id", message.id())
                .put("attempts", message.attempts())
                .put("timestamp", message.timestamp())
                .put("body", new String(message.body(), StandardCharsets.UTF_8));
        return JSON.writeValueAsString(node);
    }
}
