package dev.ferry.nsq.internal.client;

import dev.ferry.AsyncMessageHandler;
import dev.ferry.Bus;
import dev.ferry.BusAdmin;
import dev.ferry.FerryException;
import dev.ferry.MessageHandler;
import dev.ferry.PublishRejectedException;
import dev.ferry.Query;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.internal.codec.ClientCommand;
import dev.ferry.spi.QueueStateStore;
import dev.ferry.support.DaemonThreads;
import dev.ferry.support.DeliveryHandler;
import dev.ferry.support.PublishChecks;
import dev.ferry.support.QueryClient;
import dev.ferry.support.SubscribeChecks;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Bus} connected to brokers over NSQ's TCP protocol. Publishes go to one broker at a time
 * ({@link ProducerPool}), a batch as one MPUB and a deferred message as one DPUB; publishes queued
 * while a connection is busy share an MPUB. Each subscription has its own connections (an NSQ
 * connection subscribes once). The admin is nsqd's HTTP API ({@link HttpAdmin}).
 *
 * <p>Threads: a small group of Netty event loops for the sockets; a fixed pool of handler threads
 * ({@link ConnectOptions#handlerThreads()}); no timer thread of its own: lookupd polls, reconnects, RDY
 * redistribution, backoff and message timeouts keep time on the process's timer and run on the
 * event loops ({@link ClientTimer}); the JDK HTTP client's threads for lookupd and the
 * admin. Thread-safe.
 */
public final class NsqClientBus implements Bus, QueueStateStore.Provider {
    /** nsqd's default max-req-timeout, the longest DPUB delay it accepts (a longer one is fatal). */
    static final Duration MAX_DEFER = Duration.ofHours(1);

    private final ConnectOptions options;
    private final EventLoopGroup group;
    private final ClientTimer timer;
    private final ExecutorService handlers;
    private final HttpClient http;
    private final LookupdClient lookupd;
    private final ProducerPool producers;
    private final HttpAdmin admin;
    private final HttpQueueStates queueStates;
    private final Set<ConsumerSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final NsqReplyRouting replyRouting;
    private final QueryClient queries;
    private volatile boolean closed;

    private NsqClientBus(ConnectOptions options) {
        this.options = options;
        int loops = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.group = new MultiThreadIoEventLoopGroup(
                loops, DaemonThreads.named("ferry-client-io-"), NioIoHandler.newFactory());
        this.timer = new ClientTimer(group);
        this.handlers = Executors.newFixedThreadPool(options.handlerThreads(), DaemonThreads.named("ferry-handler-"));
        this.http = HttpClient.newBuilder()
                .connectTimeout(options.socket().connectTimeout())
                .build();
        this.lookupd = options.discovery().lookupdHttpAddresses().isEmpty()
                ? null
                : new LookupdClient(
                        http,
                        options.discovery().lookupdHttpAddresses(),
                        options.timeouts().responseTimeout());
        this.producers = new ProducerPool(group, options, lookupd);
        this.admin = new HttpAdmin(
                http,
                options.discovery().nsqdHttpAddresses(),
                options.discovery().nsqdTcpAddresses(),
                lookupd,
                options.timeouts().responseTimeout());
        this.replyRouting = new NsqReplyRouting(this, options, lookupd);
        this.queries = new QueryClient(this, options.clock(), replyRouting, 100_000);
        this.queueStates = new HttpQueueStates(admin, timer);
    }

    /** Connects a bus with {@code options}; connections are made when first needed. */
    public static Bus connect(ConnectOptions options) {
        return new NsqClientBus(Objects.requireNonNull(options, "options"));
    }

    ConnectOptions options() {
        return options;
    }

    EventLoopGroup group() {
        return group;
    }

    ClientTimer timer() {
        return timer;
    }

    ExecutorService handlers() {
        return handlers;
    }

    LookupdClient lookupd() {
        return lookupd;
    }

    void removed(ConsumerSubscription subscription) {
        subscriptions.remove(subscription);
    }

    private void ensureOpen() {
        if (closed) {
            throw new FerryException("the bus is closed");
        }
    }

    // ---- publishing -----------------------------------------------------------------------------

    private long checkBatch(String topic, List<byte[]> bodies) {
        ensureOpen();
        long total = PublishChecks.bodies(topic, bodies, options.publishing().maxMessageSize());
        if (bodies.size() > 1
                && total + 4L * bodies.size() + 4 > options.publishing().maxBodySize()) {
            throw new PublishRejectedException("batch of " + bodies.size() + " messages and " + total
                    + " bytes exceeds maxBodySize " + options.publishing().maxBodySize() + " (nsqd's max-body-size)");
        }
        return total;
    }

    private CompletableFuture<Void> send(ClientCommand command, long bytes) {
        return send(command, bytes, null);
    }

    /**
     * Sends a publish to the pool's next broker, or to the broker at {@code address} unless null; null
     * when the pool will not open a connection to one more named broker.
     */
    private CompletableFuture<Void> send(ClientCommand command, long bytes, String address) {
        long now = pendingBytes.addAndGet(bytes);
        if (now > options.publishing().maxPendingPublishBytes() && now != bytes) {
            pendingBytes.addAndGet(-bytes);
            return CompletableFuture.failedFuture(new PublishRejectedException(
                    "publishes of " + (now - bytes) + " bytes await an answer; maxPendingPublishBytes is "
                            + options.publishing().maxPendingPublishBytes()));
        }
        CompletableFuture<byte[]> answered =
                address == null ? producers.publish(command) : producers.publishTo(address, command);
        if (answered == null) {
            pendingBytes.addAndGet(-bytes);
            return null;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        answered.whenComplete((answer, error) -> {
            if (pendingBytes.addAndGet(-bytes) == 0 && closed) {
                synchronized (pendingBytes) {
                    pendingBytes.notifyAll();
                }
            }
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(unwrap(error));
            }
        });
        return done;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static long deferMillis(Duration delay) {
        return Math.min(PublishChecks.deferMillis(delay), MAX_DEFER.toMillis());
    }

    @Override
    public void publish(String topic, byte[] body) {
        PublishChecks.await(publishAsync(topic, body));
    }

    @Override
    public void publish(String topic, List<byte[]> bodies) {
        PublishChecks.await(publishAsync(topic, bodies));
    }

    @Override
    public void publishDeferred(String topic, byte[] body, Duration delay) {
        PublishChecks.await(publishDeferredAsync(topic, body, delay));
    }

    @Override
    public CompletableFuture<Void> publishAsync(String topic, byte[] body) {
        try {
            long bytes = checkBatch(topic, List.of(body));
            return send(new ClientCommand.Pub(topic, body), bytes);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> publishAsync(String topic, List<byte[]> bodies) {
        try {
            long bytes = checkBatch(topic, bodies);
            ClientCommand command = bodies.size() == 1
                    ? new ClientCommand.Pub(topic, bodies.get(0))
                    : new ClientCommand.Mpub(topic, List.copyOf(bodies));
            return send(command, bytes);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> publishDeferredAsync(String topic, byte[] body, Duration delay) {
        try {
            long defer = deferMillis(delay);
            long bytes = checkBatch(topic, List.of(body));
            return send(new ClientCommand.Dpub(topic, defer, body), bytes);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Publishes {@code body} to {@code topic} on the broker at {@code node} ({@code host:port}), for
     * {@link NsqReplyRouting}; empty when this bus will not open a connection to one more broker
     * ({@link ProducerPool#MAX_NAMED_NODES}).
     */
    Optional<CompletableFuture<Void>> publishToNode(String node, String topic, byte[] body) {
        try {
            long bytes = checkBatch(topic, List.of(body));
            return Optional.ofNullable(send(new ClientCommand.Pub(topic, body), bytes, node));
        } catch (RuntimeException e) {
            return Optional.of(CompletableFuture.failedFuture(e));
        }
    }

    // ---- consuming ------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Over NSQ the message timeout is sent as IDENTIFY's {@code msg_timeout}, which nsqd accepts
     * from 1 s up to its max-msg-timeout.
     */
    @Override
    public Subscription subscribe(String topic, String channel, MessageHandler handler, SubscribeOptions options) {
        ensureOpen();
        SubscribeChecks.check(topic, channel, handler, options);
        return subscribe(topic, channel, DeliveryHandler.of(handler), options);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Over NSQ the message timeout is sent as IDENTIFY's {@code msg_timeout}, which nsqd accepts
     * from 1 s up to its max-msg-timeout; a message whose stage is still running when it times out is
     * redelivered by nsqd (extend it with {@link dev.ferry.Message#touch()}).
     */
    @Override
    public Subscription subscribeAsync(
            String topic, String channel, AsyncMessageHandler handler, SubscribeOptions options) {
        ensureOpen();
        SubscribeChecks.check(topic, channel, handler, options);
        return subscribe(topic, channel, DeliveryHandler.ofAsync(handler), options);
    }

    private Subscription subscribe(String topic, String channel, DeliveryHandler handler, SubscribeOptions options) {
        if (options.messageTimeout().toMillis() < 1000) {
            throw new IllegalArgumentException("over NSQ the message timeout is at least 1 s (nsqd's msg_timeout"
                    + " range), got " + options.messageTimeout());
        }
        ConsumerSubscription subscription = topic.equals(queries.replyTopic())
                ? new ConsumerSubscription(this, topic, channel, handler, options, replyRouting.replyAddresses())
                : new ConsumerSubscription(this, topic, channel, handler, options);
        subscriptions.add(subscription);
        subscription.start();
        return subscription;
    }

    @Override
    public BusAdmin admin() {
        return admin;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The first query chooses the node the replies come to (see {@link NsqReplyRouting}); through
     * lookupd that asks lookupd's {@code /nodes} first, and the query fails when no lookupd answers.
     */
    @Override
    public CompletableFuture<String> queryAsync(String topic, String json, Duration timeout) {
        if (replyRouting.chosenNode() != null) {
            return queries.ask(topic, json, timeout);
        }
        return replyRouting.chooseNode().thenCompose(node -> queries.ask(topic, json, timeout));
    }

    @Override
    public Subscription respond(String topic, String channel, Query.Responder responder, SubscribeOptions options) {
        if (closed) {
            throw new FerryException("the bus is closed");
        }
        return queries.respond(topic, channel, responder, options);
    }

    @Override
    public Query.Stats queryStats() {
        return queries.stats();
    }

    /**
     * busmq queue state on the brokers' {@code /queue/*} HTTP endpoints (a Ferry broker's; a plain
     * nsqd answers 404 and the calls fail with {@link dev.ferry.NotSupportedException}).
     */
    @Override
    public QueueStateStore queueState() {
        ensureOpen();
        return queueStates;
    }

    /**
     * Closes the subscriptions (CLS, handlers given their close timeout, the rest requeued), waits up
     * to the response timeout for publishes still unanswered, then closes every connection.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queries.close();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (ConsumerSubscription s : new ArrayList<>(subscriptions)) {
            closing.add(CompletableFuture.runAsync(s::close, DaemonThreads.each("ferry-client-close")));
        }
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).join();
        // publishes already sent get their answers (or the response timeout) before the sockets close
        long deadline = System.nanoTime() + options.timeouts().responseTimeout().toNanos();
        synchronized (pendingBytes) {
            long left;
            while (pendingBytes.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    pendingBytes.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        try {
            producers.close().get(options.timeouts().responseTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // the sockets are closed below with the event loops
        }
        timer.close();
        handlers.shutdown();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        http.close();
    }
}
