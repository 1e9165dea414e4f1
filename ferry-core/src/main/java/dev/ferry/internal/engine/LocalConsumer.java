package dev.ferry.internal.engine;

import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A consumer registered on a channel of the {@link LocalEngine}: the channel keeps it among its
 * listeners and in the entries it leased, so that availability and expiry reach its {@link
 * Engine.ConsumerListener}. Once closed it hears nothing more and claims nothing.
 *
 * <p>Threading: thread-safe; the listener is called on whatever thread reports the event, never
 * under a topic lock.
 */
final class LocalConsumer implements Engine.Consumer {
    /** A lease of {@code consumer} that expired or was dropped, to report once the lock is released. */
    record Expiry(LocalConsumer consumer, Lease lease) {}

    private final LocalEngine engine;
    final String topic;
    final String channel;
    private final Engine.ConsumerListener listener;
    private volatile boolean closed;

    LocalConsumer(LocalEngine engine, String topic, String channel, Engine.ConsumerListener listener) {
        this.engine = engine;
        this.topic = topic;
        this.channel = channel;
        this.listener = listener;
    }

    @Override
    public CompletionStage<List<Lease>> claim(int max, Duration timeout) {
        return engine.claim(this, max, timeout);
    }

    boolean closed() {
        return closed;
    }

    /** Messages may be claimable. */
    void available() {
        if (!closed) {
            listener.available();
        }
    }

    /** A lease this consumer claimed is gone. */
    void expired(Lease lease) {
        if (!closed) {
            listener.expired(lease);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        engine.unregister(this);
    }
}
