package dev.ferry;

import dev.ferry.internal.bus.LocalBus;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.spi.BusConnector;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineUri;
import dev.ferry.spi.Engines;
import java.net.URI;
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
     * Opens an embedded bus that stores under {@code dataDir} with the default settings: {@code
     * Bus.builder().engine(EmbeddedEngineConfig.file(dataDir).build()).open()}.
     *
     * @throws StorageException when the directory is held by another process or has an unknown format
     */
    static Bus embedded(Path dataDir) {
        return builder().engine(EmbeddedEngineConfig.file(dataDir).build()).open();
    }

    /**
     * Opens a bus that keeps everything in memory (nothing survives {@link #close()}), with the
     * default settings: {@code Bus.open("memory:")}. Its durable names are bounded only by the
     * engine's channel depth and retention (none by default); {@code #ephemeral} names by {@link
     * EmbeddedEngineConfig#memQueueSize()}, as in an embedded bus.
     */
    static Bus inMemory() {
        return builder().engine(EmbeddedEngineConfig.memory().build()).open();
    }

    /**
     * Opens a bus with the default {@link BusConfig} on the engine {@code engineUri} names: {@code
     * file:./data} (the embedded durable engine; relative paths are the working directory's, {@code
     * file:/abs} and {@code file:///abs} absolute), {@code memory:}, or the scheme of any {@link
     * dev.ferry.spi.EngineProvider} on the class path. The engine's settings are the URI's query
     * parameters ({@code file:./data?sync=always&segment-bytes=64MiB}, see {@link
     * EmbeddedEngineConfig}). The bus owns the engine and closes it with itself.
     *
     * @throws IllegalArgumentException when the URI is malformed, its scheme has no engine on the class
     *     path (the message lists the schemes there are), or it gives a parameter the engine does not
     *     take or a value it cannot use
     * @throws StorageException when the engine's storage cannot be opened
     */
    static Bus open(String engineUri) {
        return builder().engine(engineUri).open();
    }

    /** Opens a bus on the engine {@code engineUri} names: {@link #open(String)}. */
    static Bus open(URI engineUri) {
        return builder().engine(engineUri).open();
    }

    /** A builder of a bus on an engine in this process: the engine {@code file:./data} by default. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Chooses the engine and the bus's settings, then opens a bus: {@code
     * Bus.builder().engine("memory:").config(BusConfig.builder().handlerThreads(8).build()).open()}.
     * Not thread-safe; {@link #open()} may be called more than once, each time opening a new engine.
     */
    final class Builder {
        private EngineUri uri = EngineUri.parse("file:./data");
        private EmbeddedEngineConfig embedded;
        private BusConfig config = BusConfig.defaults();

        private Builder() {}

        /**
         * The engine by URI (see {@link Bus#open(String)}).
         *
         * @throws IllegalArgumentException when the URI is malformed
         */
        public Builder engine(String engineUri) {
            return engine(EngineUri.parse(Objects.requireNonNull(engineUri, "engineUri")));
        }

        /** The engine by URI (see {@link Bus#open(String)}). */
        public Builder engine(URI engineUri) {
            return engine(EngineUri.of(Objects.requireNonNull(engineUri, "engineUri")));
        }

        /** The engine by URI (see {@link Bus#open(String)}). */
        public Builder engine(EngineUri engineUri) {
            this.uri = Objects.requireNonNull(engineUri, "engineUri");
            this.embedded = null;
            return this;
        }

        /** The embedded engine with these settings ({@code file:DIR} or {@code memory:}). */
        public Builder engine(EmbeddedEngineConfig engineConfig) {
            this.embedded = Objects.requireNonNull(engineConfig, "engineConfig");
            this.uri = null;
            return this;
        }

        /** The bus's own settings (default {@link BusConfig#defaults()}). */
        public Builder config(BusConfig busConfig) {
            this.config = Objects.requireNonNull(busConfig, "busConfig");
            return this;
        }

        /**
         * Opens the engine (with the bus's {@link BusConfig#clock()}) and a bus on it, which closes the
         * engine with itself.
         *
         * @throws IllegalArgumentException for an engine URI that cannot be used, naming what is wrong
         * @throws StorageException when the engine's storage cannot be opened
         */
        public Bus open() {
            Engine engine =
                    embedded != null ? LocalEngine.open(embedded, config.clock()) : Engines.open(uri, config.clock());
            return LocalBus.over(config, engine);
        }
    }

    /**
     * Connects to the nsqd brokers at {@code nsqdTcpAddresses} ({@code host:port}) over NSQ's
     * protocol, with the transport's default settings: Ferry brokers ({@code ferry server}) or real
     * nsqd. The bus has the same API and semantics as an embedded one: a publish completes when a
     * broker answered OK (a batch is one MPUB, all or nothing); a handler's outcome finishes or
     * requeues its message; subscriptions spread their max in flight over one connection per broker.
     * The transport comes from ferry-nsq, found with {@link ServiceLoader} ({@link BusConnector});
     * for lookupd discovery, TLS, compression, timeouts and the other client settings, use
     * ferry-nsq's {@code dev.ferry.nsq.NsqBus.connect(ConnectOptions)}.
     *
     * <p>Returns at once; connections are made in the background and re-made with the reconnect
     * backoff when lost.
     *
     * @throws IllegalArgumentException when no address is given or one is not {@code host:port}
     * @throws FerryException when no transport is on the class path (add the {@code ferry-nsq} module)
     */
    static Bus connect(String... nsqdTcpAddresses) {
        List<String> addresses = List.of(nsqdTcpAddresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("Bus.connect needs at least one nsqd TCP address (host:port)");
        }
        Iterator<BusConnector> connectors = ServiceLoader.load(BusConnector.class, Bus.class.getClassLoader())
                .iterator();
        if (!connectors.hasNext()) {
            throw new FerryException("Bus.connect needs a transport and none is on the class path:"
                    + " add the dev.ferry:ferry-nsq module (it provides dev.ferry.spi.BusConnector)");
        }
        return connectors.next().connect(addresses);
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
     * Starts consuming {@code channel} of {@code topic} with a synchronous handler, creating both when
     * needed: a handler that returns finishes its message, one that throws requeues it (see {@link
     * MessageHandler}).
     *
     * @throws InvalidNameException for a bad topic or channel name
     */
    Subscription subscribe(String topic, String channel, MessageHandler handler, SubscribeOptions options);

    /** Subscribes with {@link SubscribeOptions#DEFAULT}. */
    default Subscription subscribe(String topic, String channel, MessageHandler handler) {
        return subscribe(topic, channel, handler, SubscribeOptions.DEFAULT);
    }

    /**
     * Starts consuming {@code channel} of {@code topic} with a handler whose work completes later (see
     * {@link AsyncMessageHandler}), creating both when needed. Each message holds its in-flight slot
     * until its handler's stage completes.
     *
     * @throws InvalidNameException for a bad topic or channel name
     */
    Subscription subscribeAsync(String topic, String channel, AsyncMessageHandler handler, SubscribeOptions options);

    /** Subscribes an asynchronous handler with {@link SubscribeOptions#DEFAULT}. */
    default Subscription subscribeAsync(String topic, String channel, AsyncMessageHandler handler) {
        return subscribeAsync(topic, channel, handler, SubscribeOptions.DEFAULT);
    }

    // ---- request/reply (see Query) ------------------------------------------------------------

    /**
     * Asks and waits up to {@link Query#DEFAULT_TIMEOUT} (2 s): {@link #query(String, String,
     * Duration)}.
     */
    default String query(String topic, String json) {
        return query(topic, json, Query.DEFAULT_TIMEOUT);
    }

    /**
     * Publishes the JSON object {@code json} to {@code topic} as a request and blocks until its reply
     * arrives, returning the reply's JSON text. The request gets {@value Query#MSG_ID} and {@value
     * Query#SERVER_ID} unless present, and its {@value Query#DEADLINE} (see {@link Query}).
     *
     * @throws QueryTimeoutException when no reply came within {@code timeout}
     * @throws IllegalArgumentException when {@code json} is not a JSON object or the timeout is under
     *     1 ms
     * @throws InvalidNameException for a bad topic name
     * @throws FerryException when the request could not be published, too many queries wait
     *     ({@link BusConfig#maxPendingQueries()}), the bus closed, or the thread was interrupted
     */
    default String query(String topic, String json, Duration timeout) {
        try {
            return queryAsync(topic, json, timeout).get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new FerryException("query to topic '" + topic + "' failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting for a reply from topic '" + topic + "'", e);
        }
    }

    /** Asks with {@link Query#DEFAULT_TIMEOUT}: {@link #queryAsync(String, String, Duration)}. */
    default CompletableFuture<String> queryAsync(String topic, String json) {
        return queryAsync(topic, json, Query.DEFAULT_TIMEOUT);
    }

    /**
     * Publishes the JSON object {@code json} to {@code topic} as a request; the future completes
     * with the reply's JSON text, or exceptionally with {@link QueryTimeoutException} after {@code
     * timeout}, or with the error that kept the query from being made (as {@link #query(String,
     * String, Duration)} throws them). Does not block.
     *
     * <p>The future completes on one of the bus's threads (the one that read the reply, or the
     * query timer): stages added with non-{@code Async} methods run there and must not block.
     */
    CompletableFuture<String> queryAsync(String topic, String json, Duration timeout);

    /**
     * Answers the requests of {@code topic} on {@code channel} with {@code responder}, with {@link
     * SubscribeOptions#DEFAULT} (one request at a time): {@link #respond(String, String,
     * Query.Responder, SubscribeOptions)}.
     */
    default Subscription respond(String topic, String channel, Query.Responder responder) {
        return respond(topic, channel, responder, SubscribeOptions.DEFAULT);
    }

    /**
     * Answers the requests of {@code topic} on {@code channel}: each request's reply is published to
     * its {@value Query#SERVER_ID} with its {@value Query#MSG_ID}, and the request is finished once
     * the reply is stored. Requests whose {@value Query#DEADLINE} has passed are finished unanswered;
     * a responder that throws requeues the request with the options' backoff. Closing the returned
     * subscription stops answering.
     *
     * @throws InvalidNameException for a bad topic or channel name
     */
    Subscription respond(String topic, String channel, Query.Responder responder, SubscribeOptions options);

    /** The request/reply counters of this bus, including the late and unknown replies it dropped. */
    Query.Stats queryStats();

    /** Administration of topics and channels. */
    BusAdmin admin();

    /** Closes subscriptions, then storage. Blocks until done. Idempotent. */
    @Override
    void close();
}
