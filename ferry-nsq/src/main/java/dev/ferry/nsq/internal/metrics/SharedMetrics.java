package dev.ferry.nsq.internal.metrics;

import dev.ferry.spi.Engine;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@link BrokerMetrics} that a broker's HTTP and HTTPS servers share, made at the first scrape
 * and closed when the last server that holds them closes.
 *
 * <p>Made lazily, off the event loop: binding the JVM's meters and loading Micrometer takes a few
 * hundred milliseconds on a loaded machine, which a broker nobody scrapes should not pay at start.
 * Until the first scrape nothing is measured (the protocol's counts and the connections, kept by
 * {@link BrokerTraffic}, count from the start all the same); the histograms count from then on.
 *
 * <p>Thread-safe.
 */
public final class SharedMetrics {
    private final Engine engine;
    private final BrokerTraffic traffic;
    private int holders = 1;
    private CompletableFuture<BrokerMetrics> metrics;

    /** Metrics of {@code engine} and {@code traffic}, held by one server. */
    public SharedMetrics(Engine engine, BrokerTraffic traffic) {
        this.engine = engine;
        this.traffic = traffic;
    }

    /**
     * The metrics, made on a pool thread at the first call; never blocks. Fails with an {@link
     * IllegalStateException} once the last holder released them.
     */
    public synchronized CompletionStage<BrokerMetrics> get() {
        if (holders == 0) {
            return CompletableFuture.failedFuture(new IllegalStateException("the broker's metrics are closed"));
        }
        if (metrics == null) {
            metrics = CompletableFuture.supplyAsync(() -> new BrokerMetrics(engine, traffic));
        }
        return metrics;
    }

    /** One more server serves them; false when they are closed already (make new ones). */
    public synchronized boolean retain() {
        if (holders == 0) {
            return false;
        }
        holders++;
        return true;
    }

    /** A server no longer serves them; the last one closes them (once they are made). */
    public synchronized void release() {
        if (holders > 0 && --holders == 0 && metrics != null) {
            metrics.thenAccept(BrokerMetrics::close);
        }
    }
}
