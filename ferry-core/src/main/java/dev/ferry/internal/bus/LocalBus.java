package dev.ferry.internal.bus;

import dev.ferry.AsyncMessageHandler;
import dev.ferry.Bus;
import dev.ferry.BusAdmin;
import dev.ferry.BusConfig;
import dev.ferry.FerryException;
import dev.ferry.MessageHandler;
import dev.ferry.PublishRejectedException;
import dev.ferry.Query;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.spi.BusmqQueues;
import dev.ferry.spi.Engine;
import dev.ferry.spi.PublishRecord;
import dev.ferry.spi.QueueStateStore;
import dev.ferry.spi.ReplyRouting;
import dev.ferry.support.DaemonThreads;
import dev.ferry.support.DeliveryHandler;
import dev.ferry.support.PublishChecks;
import dev.ferry.support.QueryClient;
import dev.ferry.support.SubscribeChecks;
import dev.ferry.support.Timers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Bus} over any {@link Engine}: checks names and sizes, bounds pending asynchronous
 * publishes, and runs subscriptions.
 *
 * <p>Threads: a fixed pool of handler threads ({@link BusConfig#handlerThreads()}); its queue is
 * bounded in practice by the subscriptions' max-in-flight, since a message is queued only while it
 * holds an in-flight slot. Two dispatch threads run the claim loops and continue them when a claim
 * completes later; the process's one timer ({@link Timers}) retries failed claims. The engine tells each subscription when
 * one of its leases expires, so the bus has no timeout sweep of its own.
 */
public final class LocalBus implements Bus, QueueStateStore.Provider, BusmqQueues.Provider {
    /** Marks the dispatch threads, which must never wait (for the engine or anything else). */
    private static final ThreadLocal<Boolean> DISPATCH_THREAD = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final BusConfig config;
    private final Engine engine;
    private final PendingBytes pending;
    private final ExecutorService handlers;
    private final ExecutorService dispatch;
    private final Set<LocalSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final LocalAdmin admin;
    private final QueryClient queries;
    private final boolean ownsEngine;
    private volatile boolean closed;

    private LocalBus(BusConfig config, Engine engine, boolean ownsEngine) {
        this.config = config;
        this.engine = engine;
        this.ownsEngine = ownsEngine;
        this.pending = new PendingBytes(config.maxPendingPublishBytes(), config.pendingPublishTimeout());
        this.handlers = new ThreadPoolExecutor(
                config.handlerThreads(),
                config.handlerThreads(),
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                DaemonThreads.named("ferry-handler-"));
        ThreadFactory dispatchThreads = DaemonThreads.named("ferry-dispatch-");
        this.dispatch = Executors.newFixedThreadPool(
                2,
                r -> dispatchThreads.newThread(() -> {
                    DISPATCH_THREAD.set(Boolean.TRUE);
                    r.run();
                }));
        this.admin = new LocalAdmin(engine);
        this.queries = new QueryClient(this, config.clock(), ReplyRouting.SINGLE_NODE, config.maxPendingQueries());
    }

    /**
     * Opens a bus over {@code engine}, which the bus closes with itself (and closes at once when the
     * bus cannot be made).
     */
    public static Bus over(BusConfig config, Engine engine) {
        try {
            return new LocalBus(config, engine, true);
        } catch (RuntimeException | Error e) {
            engine.close();
            throw e;
        }
    }

    /**
     * Opens a bus over an engine that stays its owner's: closing the bus leaves the engine open (a
     * broker's engine serving protocol clients too). Of {@code config} only the limits, handler
     * threads, pending bounds and clock apply; the storage settings are the engine's.
     */
    public static Bus sharing(BusConfig config, Engine engine) {
        return new LocalBus(config, engine, false);
    }

    Engine engine() {
        return engine;
    }

    Clock clock() {
        return config.clock();
    }

    /** {@code millis} clamped to {@link BusConfig#maxRequeueDelay()}: the bus bounds the delays it passes on. */
    long clampDelay(long millis) {
        return Math.min(millis, config.maxRequeueDelay().toMillis());
    }

    ExecutorService handlers() {
        return handlers;
    }

    ExecutorService dispatch() {
        return dispatch;
    }

    /** Whether the calling thread is a dispatch thread of a bus. */
    static boolean onDispatchThread() {
        return DISPATCH_THREAD.get();
    }

    void retryLater(LocalSubscription subscription) {
        if (!closed) {
            Timers.schedule(Duration.ofSeconds(1), subscription::signal);
        }
    }

    void removed(LocalSubscription subscription) {
        subscriptions.remove(subscription);
    }

    private void ensureOpen() {
        if (closed) {
            throw new FerryException("the bus is closed");
        }
    }

    // ---- publishing -----------------------------------------------------------------------------

    private List<PublishRecord> records(String topic, List<byte[]> bodies, long deferMillis) {
        ensureOpen();
        long total = PublishChecks.bodies(topic, bodies, config.maxMessageSize());
        if (bodies.size() > 1 && total > config.maxBatchSize()) {
            throw new PublishRejectedException("batch of "
                    + bodies.size()
                    + " messages and "
                    + total
                    + " bytes exceeds maxBatchSize "
                    + config.maxBatchSize());
        }
        List<PublishRecord> out = new ArrayList<>(bodies.size());
        for (byte[] body : bodies) {
            out.add(new PublishRecord(body, clampDelay(deferMillis)));
        }
        return out;
    }

    @Override
    public void publish(String topic, byte[] body) {
        PublishChecks.await(engine.append(topic, records(topic, List.of(body), 0)));
    }

    @Override
    public void publish(String topic, List<byte[]> bodies) {
        PublishChecks.await(engine.append(topic, records(topic, bodies, 0)));
    }

    @Override
    public void publishDeferred(String topic, byte[] body, Duration delay) {
        PublishChecks.await(engine.append(topic, records(topic, List.of(body), PublishChecks.deferMillis(delay))));
    }

    @Override
    public CompletableFuture<Void> publishAsync(String topic, byte[] body) {
        return appendAsync(topic, List.of(body), 0);
    }

    @Override
    public CompletableFuture<Void> publishAsync(String topic, List<byte[]> bodies) {
        return appendAsync(topic, bodies, 0);
    }

    @Override
    public CompletableFuture<Void> publishDeferredAsync(String topic, byte[] body, Duration delay) {
        return appendAsync(topic, List.of(body), PublishChecks.deferMillis(delay));
    }

    private CompletableFuture<Void> appendAsync(String topic, List<byte[]> bodies, long defer) {
        List<PublishRecord> batch;
        try {
            batch = records(topic, bodies, defer);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        long bytes = 0;
        for (PublishRecord r : batch) {
            bytes += r.body().length;
        }
        try {
            pending.acquire(bytes);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> stored;
        try {
            stored = engine.append(topic, batch);
        } catch (RuntimeException e) {
            pending.release(bytes);
            return CompletableFuture.failedFuture(e);
        }
        long held = bytes;
        return stored.whenComplete((v, e) -> pending.release(held));
    }

    // ---- consuming ------------------------------------------------------------------------------

    @Override
    public Subscription subscribe(String topic, String channel, MessageHandler handler, SubscribeOptions options) {
        ensureOpen();
        SubscribeChecks.check(topic, channel, handler, options);
        return subscribe(topic, channel, DeliveryHandler.of(handler), options);
    }

    @Override
    public Subscription subscribeAsync(
            String topic, String channel, AsyncMessageHandler handler, SubscribeOptions options) {
        ensureOpen();
        SubscribeChecks.check(topic, channel, handler, options);
        return subscribe(topic, channel, DeliveryHandler.ofAsync(handler), options);
    }

    private Subscription subscribe(String topic, String channel, DeliveryHandler handler, SubscribeOptions options) {
        LocalSubscription subscription = new LocalSubscription(this, topic, channel, handler, options);
        subscriptions.add(subscription);
        try {
            subscription.start();
        } catch (RuntimeException e) {
            subscriptions.remove(subscription);
            throw e;
        }
        return subscription;
    }

    // ---- request/reply --------------------------------------------------------------------------

    @Override
    public CompletableFuture<String> queryAsync(String topic, String json, Duration timeout) {
        return queries.ask(topic, json, timeout);
    }

    @Override
    public Subscription respond(String topic, String channel, Query.Responder responder, SubscribeOptions options) {
        ensureOpen();
        return queries.respond(topic, channel, responder, options);
    }

    @Override
    public Query.Stats queryStats() {
        return queries.stats();
    }

    @Override
    public BusAdmin admin() {
        return admin;
    }

    /** The engine's busmq queues in busmq's own layout, when it keeps them so. */
    @Override
    public java.util.Optional<BusmqQueues> busmqQueues() {
        return engine.busmqQueues();
    }

    /** The engine's queue state store. */
    @Override
    public QueueStateStore queueState() {
        ensureOpen();
        return engine.queueState();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queries.close();
        List<LocalSubscription> open = new ArrayList<>(subscriptions);
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (LocalSubscription s : open) {
            closing.add(CompletableFuture.runAsync(s::close, DaemonThreads.each("ferry-close")));
        }
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).join();
        dispatch.shutdown();
        handlers.shutdown();
        try {
            handlers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsEngine) {
            engine.close();
        }
    }
}
