package dev.ferry.nsq.internal.client;

import dev.ferry.FerryException;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.internal.codec.ClientCommand;
import dev.ferry.nsq.internal.codec.Frame;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publishing connection to one broker, made on the first publish and re-made on the first
 * publish after it was lost. After a failed connect, publishes fail at once with that failure until
 * the reconnect backoff (jittered) has passed, so a dead broker costs callers no connect timeout
 * each. Thread-safe.
 */
final class ProducerNode implements ClientConnection.Listener {
    private static final Logger log = LoggerFactory.getLogger(ProducerNode.class);

    private final EventLoopGroup group;
    private final ConnectOptions options;
    private final String address;
    private CompletableFuture<ClientConnection> current;
    private int failures;
    private long retryAtNanos;
    private boolean closed;
    /** Publishes waiting for {@link #queuedFor} to open, in the order they were made. */
    private List<Runnable> queued = new ArrayList<>();

    private CompletableFuture<ClientConnection> queuedFor;

    ProducerNode(EventLoopGroup group, ConnectOptions options, String address) {
        this.group = group;
        this.options = options;
        this.address = address;
    }

    String address() {
        return address;
    }

    /** Whether the last connect failed and its backoff has not passed. */
    synchronized boolean inBackoff() {
        return current != null && current.isCompletedExceptionally() && System.nanoTime() < retryAtNanos;
    }

    /**
     * Sends a publish; the future completes with the broker's answer. Publishes made while the
     * connection is being opened are sent in the order they were made once it is open.
     */
    CompletableFuture<byte[]> request(ClientCommand command) {
        CompletableFuture<ClientConnection> c;
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        synchronized (this) {
            c = connection();
            // until the queue is sent, later publishes join it, even once the connection is open
            if (!c.isDone() || (c == queuedFor && !queued.isEmpty())) {
                // a CompletableFuture runs its dependents last-in first-out: keep our own queue
                if (queuedFor != c) {
                    queuedFor = c;
                    queued = new ArrayList<>();
                    List<Runnable> batch = queued;
                    c.whenComplete((conn, error) -> sendQueued(batch));
                }
                queued.add(() -> send(c, command, answer));
                return answer;
            }
        }
        send(c, command, answer);
        return answer;
    }

    private static void send(
            CompletableFuture<ClientConnection> c, ClientCommand command, CompletableFuture<byte[]> answer) {
        c.thenCompose(conn -> conn.request(command)).whenComplete((r, e) -> {
            if (e == null) {
                answer.complete(r);
            } else {
                answer.completeExceptionally(e);
            }
        });
    }

    /** Sends the queue in order; holding the lock keeps a publish made meanwhile behind it. */
    private synchronized void sendQueued(List<Runnable> batch) {
        while (!batch.isEmpty()) {
            batch.remove(0).run();
        }
    }

    private synchronized CompletableFuture<ClientConnection> connection() {
        if (closed) {
            return CompletableFuture.failedFuture(new FerryException("the bus is closed"));
        }
        CompletableFuture<ClientConnection> c = current;
        if (c != null) {
            if (!c.isDone()) {
                return c;
            }
            if (!c.isCompletedExceptionally() && c.join().isOpen()) {
                return c;
            }
            if (c.isCompletedExceptionally() && System.nanoTime() < retryAtNanos) {
                return c;
            }
        }
        CompletableFuture<ClientConnection> opening = ClientConnection.open(group, address, options, 0, this);
        current = opening;
        opening.whenComplete((conn, error) -> connected(opening, error));
        return opening;
    }

    private synchronized void connected(CompletableFuture<ClientConnection> attempt, Throwable error) {
        if (attempt != current) {
            return;
        }
        if (error == null) {
            failures = 0;
            if (closed) {
                attempt.join().close();
            }
            return;
        }
        failures++;
        long delay = Jitter.of(options.socket().reconnectBackoff().delayFor(failures));
        retryAtNanos = System.nanoTime() + delay * 1_000_000;
        // the publishes waiting for this connection fail with the same error, so their callers hear
        // it; a warning as well would say it twice
        log.info(
                "cannot publish to nsqd at {} (failure {} in a row; next try in {} ms): {}",
                address,
                failures,
                delay,
                error.getMessage());
    }

    @Override
    public void onMessage(ClientConnection connection, Frame.Message message) {
        log.warn("nsqd at {} sent a message to a publishing connection; ignored", address);
    }

    @Override
    public void onClosed(ClientConnection connection, Throwable cause) {
        log.info("publishing connection to nsqd at {} closed: {}", address, cause.getMessage());
    }

    /** Sends what is queued and closes; the future completes when the socket is closed. */
    CompletableFuture<Void> close() {
        CompletableFuture<ClientConnection> c;
        synchronized (this) {
            closed = true;
            c = current;
        }
        if (c == null || !c.isDone() || c.isCompletedExceptionally()) {
            return CompletableFuture.completedFuture(null);
        }
        return c.join().flushAndClose();
    }
}
