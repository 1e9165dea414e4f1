package dev.ferry;

import dev.ferry.internal.bus.LocalBus;
import dev.ferry.spi.BusConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;

/**
 * A message bus: topics that fan out to channels, channels whose consumers share the messages, with
 * NSQ's at-least-once semantics.
 *
 * <p>Publishing: a publish completes once the message is stored under the sync policy; the blocking
 * forms return then, the asynchronous forms complete their future then. A batch is stored all or
 * nothing. Asynchronous publishes are bounded by {@link BusConfig#maxPendingPublishBytes()}.
 *
 * <p>Buffers: publishing hands the body arrays over to the bus, which may keep and deliver the very
 * same arrays (the newest messages are served from memory); do not modify an array after passing
 * it to a publish method. Handlers likewise must not modify {@link Message#body()}, which every
 * channel of the topic may share.
 *
 * <p>Thread-safe. Closing the bus closes its subscriptions (see {@link Subscription#close()}) and
 * then its storage; operations after close throw {@link FerryException}.
 */
public interface Bus extends AutoCloseable {

    /**
     * Opens an embedded bus that stores under {@code dataDir} with the default settings.
     *
     * @throws StorageException when the directory is held by another process or has an unknown format
     */
    static Bus embedded(Path dataDir) {
        return create(BusConfig.embedded(dataDir).build());
    }

    /**
     * Opens a bus that keeps everything in memory (nothing survives {@link #close()}). Its durable
     * names are bounded only by the configured channel depth and retention (none by default);
     * {@code #ephemeral} names by {@link BusConfig#memQueueSize()}, as in an embedded bus.
     */
    static Bus inMemory() {
        return create(BusConfig.inMemory().build());
    }

    /** Opens a bus with the given settings: embedded when a data directory is set, else in memory. */
    static Bus create(BusConfig config) {
        return LocalBus.open(config);
    }

    /**
     * Connects to brokers over NSQ's protocol: Ferry brokers ({@code ferry server}) or a real nsqd
     * cluster, given directly or found through lookupd. The bus has the same API and semantics as an
     * embedded one: a publish completes when a broker answered OK (a batch is one MPUB, all or
     * nothing); a handler's outcome finishes or requeues its message; subscriptions spread their max
     * in flight over one connection per broker. The transport comes from ferry-nsq, found with
     * {@link ServiceLoader} ({@link BusConnector}).
     *
     * <p>Returns at once; connections are made in the background and re-made with the reconnect
     * backoff when lost.
     *
     * @throws FerryException when no transport is on the class path (add the {@code ferry-nsq} module)
     */
    static Bus connect(ConnectOptions options) {
        Objects.requireNonNull(options, "options");
        Iterator<BusConnector> connectors = ServiceLoader.load(BusConnector.class, Bus.class.getClassLoader())
                .iterator();
        if (!connectors.hasNext()) {
            throw new FerryException("Bus.connect needs a transport and none is on the class path:"
                    + " add the dev.ferry:ferry-nsq module (it provides dev.ferry.spi.BusConnector)");
        }
        return connectors.next().connect(options);
    }

    /** Connects to the given nsqd TCP addresses ({@code host:port}) with the default settings. */
    static Bus connect(String... nsqdTcpAddresses) {
        return connect(ConnectOptions.nsqd(nsqdTcpAddresses).build());
    }

    /**
     * Publishes one message, blocking until it is stored.
     *
     * @throws InvalidNameException for a bad topic name
     * @throws PublishRejectedException when a limit refuses it (nothing was stored)
     */
    void publish(String topic, byte[] body);

    /** Publishes a batch, all or nothing, blocking until it is stored. */
    void publish(String topic, List<byte[]> bodies);

    /**
     * Publishes a message to be delivered after {@code delay} (clamped to {@link
     * BusConfig#maxRequeueDelay()}), blocking until it is stored.
     */
    void publishDeferred(String topic, byte[] body, Duration delay);

    /** Publishes one message; the future completes when it is stored. */
    CompletableFuture<Void> publishAsync(String topic, byte[] body);

    /** Publishes a batch, all or nothing; the future completes when it is stored. */
    CompletableFuture<Void> publishAsync(String topic, List<byte[]> bodies);

    /** Publishes a deferred message; the future completes when it is stored. */
    CompletableFuture<Void> publishDeferredAsync(String topic, byte[] body, Duration delay);

    /**
     * Starts consuming {@code channel} of {@code topic}, creating both when needed.
     *
     * @throws InvalidNameException for a bad topic or channel name
     */
    Subscription subscribe(String topic, String channel, MessageHandler handler, SubscribeOptions options);

    /** Subscribes with {@link SubscribeOptions#DEFAULT}. */
    default Subscription subscribe(String topic, String channel, MessageHandler handler) {
        return subscribe(topic, channel, handler, SubscribeOptions.DEFAULT);
    }

    /** Administration of topics and channels. */
    BusAdmin admin();

    /** Closes subscriptions, then storage. Blocks until done. Idempotent. */
    @Override
    void close();
}
