package dev.ferry.nsq.internal.client;

import dev.ferry.ConnectOptions;
import dev.ferry.FerryException;
import dev.ferry.nsq.internal.codec.ClientCommand;
import dev.ferry.nsq.internal.codec.Frame;
import io.netty.channel.EventLoopGroup;
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

    /** Sends a publish; the future completes with the broker's answer. */
    CompletableFuture<byte[]> request(ClientCommand command) {
        return connection().thenCompose(c -> c.request(command));
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
        long delay = Jitter.of(options.reconnectBackoff().delayFor(failures));
        retryAtNanos = System.nanoTime() + delay * 1_000_000;
        log.warn(
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
