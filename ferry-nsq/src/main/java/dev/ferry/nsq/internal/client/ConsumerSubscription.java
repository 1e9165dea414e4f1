package dev.ferry.nsq.internal.client;

import dev.ferry.Backoff;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.internal.codec.ClientCommand;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.support.DeadLetters;
import dev.ferry.support.DeliveryHandler;
import dev.ferry.support.DeliveryOwner;
import dev.ferry.support.InFlightMessages;
import dev.ferry.support.NonBlockingHandler;
import dev.ferry.support.RunningHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription over NSQ: one connection per broker (the nsqd addresses it was made for, and the
 * producers lookupd lists for the topic), each subscribed to the channel, with the max in flight spread over
 * them as RDY ({@link RdyDistributor}), handlers run on the bus's executor, a failure backoff (RDY 0,
 * then RDY 1 to test the waters) and reconnects with backoff and jitter. The ack mode and the
 * client-side dead-letter policy of {@link SubscribeOptions} apply as on the embedded bus ({@link
 * ClientMessage}).
 *
 * <p>Threading: messages and connection losses come on event loops; handler outcomes on handler
 * threads (a {@link NonBlockingHandler}, such as the query client's reply handler, runs on the event
 * loop that read the message); redistribution, reconnects, lookupd results and backoff ends on the bus's timer. RDY and
 * connection state change under this object's lock; the per-message path takes no lock unless RDY
 * is owed.
 */
final class ConsumerSubscription implements Subscription, DeliveryOwner<ClientMessage> {
    /** Completes when the first connection has subscribed; see {@link Subscription#ready()}. */
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private static final Logger log = LoggerFactory.getLogger(ConsumerSubscription.class);

    private enum Mode {
        NORMAL,
        BACKOFF_PAUSED,
        BACKOFF_TESTING
    }

    /** A broker this subscription wants a connection to. */
    private static final class Node {
        final String address;
        final boolean direct;
        ConsumerConnection connection;
        boolean connecting;
        int failures;
        ScheduledFuture<?> reconnect;

        Node(String address, boolean direct) {
            this.address = address;
            this.direct = direct;
        }
    }

    private final NsqClientBus bus;
    private final ConnectOptions connect;
    private final String topic;
    private final String channel;
    private final DeliveryHandler handler;
    private final SubscribeOptions options;
    /** The brokers subscribed directly, whatever lookupd says. */
    private final List<String> addresses;
    /** The client-side dead-letter policy, or null when there is none. */
    private final DeadLetters deadLetters;
    /** Whether the handler runs on the event loop that read the message (a {@link NonBlockingHandler}). */
    private final boolean inline;

    private final RdyDistributor distributor;
    private final HandlerDispatcher<ClientMessage> dispatcher;
    private final Map<String, Node> nodes = new HashMap<>();
    private final InFlightMessages<ClientMessage> inFlight = new InFlightMessages<>();
    private final RunningHandlers running;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final int backoffCap;
    private volatile boolean closing;
    private volatile boolean paused;
    private Mode mode = Mode.NORMAL;
    private volatile int backoffLevel;
    private LookupdPoller poller;

    /** A subscription at the bus's nsqd addresses and the producers its lookupds list. */
    ConsumerSubscription(
            NsqClientBus bus, String topic, String channel, DeliveryHandler handler, SubscribeOptions options) {
        this(bus, topic, channel, handler, options, bus.options().discovery().nsqdTcpAddresses());
    }

    /**
     * A subscription at {@code addresses} (instead of the bus's nsqd addresses) and the producers its
     * lookupds list: for a topic that must be subscribed on a given broker before lookupd can list
     * it there, such as the query client's reply topic on its reply node.
     */
    ConsumerSubscription(
            NsqClientBus bus,
            String topic,
            String channel,
            DeliveryHandler handler,
            SubscribeOptions options,
            List<String> addresses) {
        this.bus = bus;
        this.addresses = List.copyOf(addresses);
        this.connect = bus.options();
        this.topic = topic;
        this.channel = channel;
        this.handler = handler;
        this.options = options;
        this.deadLetters = options.deadLetter().enabled() ? new DeadLetters(bus, topic, options.deadLetter()) : null;
        this.inline = handler.nonBlocking();
        this.running = new RunningHandlers(this, () -> closing);
        this.distributor = new RdyDistributor(
                options.maxInFlight(),
                connect.flowControl().lowRdyIdleTimeout().toMillis(),
                connect.flowControl().lowRdyTimeout().toMillis());
        this.dispatcher = new HandlerDispatcher<>(
                bus.handlers(), Math.min(connect.handlerThreads(), options.maxInFlight()), this::handle);
        this.backoffCap = connect.flowControl()
                .failureBackoff()
                .map(ConsumerSubscription::levelsTo)
                .orElse(0);
    }

    /** The failure level past which the backoff stays at its maximum. */
    private static int levelsTo(Backoff backoff) {
        int level = 1;
        while (level < 31 && backoff.delayFor(level).compareTo(backoff.max()) < 0) {
            level++;
        }
        return level;
    }

    void start() {
        synchronized (this) {
            for (String address : addresses) {
                nodes.put(address, new Node(address, true));
            }
            nodes.values().forEach(this::connect);
        }
        timers.add(bus.timer().every(connect.flowControl().rdyRedistributeInterval(), this::redistribute));
        long sweep = Math.max(10, Math.min(1000, options.messageTimeout().toMillis() / 4));
        timers.add(bus.timer().every(Duration.ofMillis(sweep), this::sweepExpired));
        if (!connect.discovery().lookupdHttpAddresses().isEmpty()) {
            poller = new LookupdPoller(bus.lookupd(), bus.timer(), connect, topic, this::discovered);
            poller.start();
        }
    }

    @Override
    public SubscribeOptions options() {
        return options;
    }

    /** The client-side dead-letter policy, or null when there is none. */
    @Override
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    @Override
    public long nowMillis() {
        return connect.clock().millis();
    }

    // ---- connections -----------------------------------------------------------------------------

    /** The producers lookupd lists now: connect to new ones, forget lost ones it no longer lists. */
    synchronized void discovered(Set<String> addresses) {
        if (closing) {
            return;
        }
        for (String address : addresses) {
            if (!nodes.containsKey(address)) {
                log.info("topic {} channel {}: lookupd lists nsqd at {}; connecting", topic, channel, address);
                Node node = new Node(address, false);
                nodes.put(address, node);
                connect(node);
            }
        }
        nodes.values().removeIf(node -> {
            boolean gone =
                    !node.direct && !addresses.contains(node.address) && node.connection == null && !node.connecting;
            if (gone && node.reconnect != null) {
                node.reconnect.cancel(false);
            }
            return gone;
        });
    }

    private void connect(Node node) {
        node.connecting = true;
        node.reconnect = null;
        ConsumerConnection cc = new ConsumerConnection(this, node.address, nowMillis());
        int msgTimeout =
                (int) Math.min(Integer.MAX_VALUE, options.messageTimeout().toMillis());
        ClientConnection.open(bus.group(), node.address, connect, msgTimeout, cc)
                .thenCompose(c -> {
                    cc.attach(c);
                    return c.request(new ClientCommand.Sub(topic, channel)).thenApply(ok -> c);
                })
                .whenComplete((c, error) -> connected(node, cc, error));
    }

    private synchronized void connected(Node node, ConsumerConnection cc, Throwable error) {
        node.connecting = false;
        if (error != null) {
            if (cc.connection() != null) {
                cc.connection().close();
            }
            node.failures++;
            log.warn(
                    "topic {} channel {}: cannot subscribe at nsqd {} (failure {} in a row): {}",
                    topic,
                    channel,
                    node.address,
                    node.failures,
                    rootMessage(error));
            scheduleReconnect(node);
            return;
        }
        if (closing || nodes.get(node.address) != node) {
            cc.connection().close();
            return;
        }
        node.failures = 0;
        node.connection = cc;
        log.info("topic {} channel {}: subscribed at nsqd {}", topic, channel, node.address);
        rebalance();
        ready.complete(null);
    }

    /** A subscribed connection closed: drop its messages (the broker redelivers them) and reconnect. */
    void onClosed(ConsumerConnection cc, Throwable cause) {
        for (ClientMessage m : inFlight) {
            if (m.connection() == cc) {
                m.drop();
            }
        }
        synchronized (this) {
            Node node = nodes.get(cc.address());
            if (node == null || node.connection != cc) {
                return;
            }
            node.connection = null;
            if (closing) {
                return;
            }
            log.warn("topic {} channel {}: lost nsqd at {}: {}", topic, channel, cc.address(), rootMessage(cause));
            node.failures++;
            rebalance();
            scheduleReconnect(node);
        }
    }

    private void scheduleReconnect(Node node) {
        if (closing || nodes.get(node.address) != node) {
            return;
        }
        long delay = Jitter.of(connect.socket().reconnectBackoff().delayFor(node.failures));
        node.reconnect = bus.timer().schedule(Duration.ofMillis(delay), () -> reconnect(node));
    }

    private synchronized void reconnect(Node node) {
        if (!closing && nodes.get(node.address) == node && node.connection == null && !node.connecting) {
            connect(node);
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof dev.ferry.FerryException)) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    // ---- RDY ---------------------------------------------------------------------------------------

    private List<ConsumerConnection> live() {
        List<ConsumerConnection> live = new ArrayList<>();
        for (Node node : nodes.values()) {
            if (node.connection != null) {
                live.add(node.connection);
            }
        }
        live.sort(Comparator.comparing(ConsumerConnection::address));
        return live;
    }

    private int cap() {
        if (paused || closing) {
            return 0;
        }
        return switch (mode) {
            case NORMAL -> options.maxInFlight();
            case BACKOFF_PAUSED -> 0;
            case BACKOFF_TESTING -> 1;
        };
    }

    private synchronized void rebalance() {
        distributor.rebalance(live(), cap(), nowMillis());
    }

    private synchronized void redistribute() {
        if (!closing) {
            distributor.redistribute(live(), cap(), nowMillis());
        }
    }

    // ---- messages ----------------------------------------------------------------------------------

    void onMessage(ConsumerConnection cc, Frame.Message frame) {
        long now = nowMillis();
        cc.delivered(now);
        inFlight.reserve(1);
        ClientMessage message =
                new ClientMessage(this, cc, frame, now + cc.connection().msgTimeoutMillis());
        inFlight.track(message);
        if (closing) {
            message.requeueOnClose();
            return;
        }
        if (inline) {
            handle(message);
        } else {
            dispatcher.submit(message);
        }
    }

    private void handle(ClientMessage message) {
        running.run(message, handler);
    }

    /** A message was answered, expired or dropped: free its slot, and give owed RDY. */
    @Override
    public void released(ClientMessage message) {
        if (inFlight.release(message)) {
            message.connection().released();
            if (message.finishedOnReceipt()) {
                message.connection().releaseHeld();
            }
            if (distributor.owes()) {
                rebalance();
            }
        }
    }

    private void sweepExpired() {
        inFlight.sweepExpired(nowMillis());
    }

    @Override
    public Logger log() {
        return log;
    }

    // ---- failure backoff ---------------------------------------------------------------------------

    @Override
    public synchronized void onHandlerFailure() {
        if (backoffCap == 0 || closing || mode == Mode.BACKOFF_PAUSED) {
            return;
        }
        if (backoffLevel < backoffCap) {
            backoffLevel++;
        }
        backOff();
    }

    @Override
    public void onHandlerSuccess() {
        if (backoffLevel == 0) {
            return; // the common case takes no lock
        }
        synchronized (this) {
            successWhileBackingOff();
        }
    }

    private void successWhileBackingOff() {
        if (backoffLevel == 0 || closing || mode == Mode.BACKOFF_PAUSED) {
            return;
        }
        backoffLevel--;
        if (backoffLevel == 0) {
            log.info("topic {} channel {}: handlers succeed again; backoff over", topic, channel);
            mode = Mode.NORMAL;
            rebalance();
        } else {
            backOff();
        }
    }

    private void backOff() {
        Duration pause = connect.flowControl().failureBackoff().orElseThrow().delayFor(backoffLevel);
        log.warn(
                "topic {} channel {}: backing off for {} ms (level {}): RDY 0",
                topic,
                channel,
                pause.toMillis(),
                backoffLevel);
        mode = Mode.BACKOFF_PAUSED;
        rebalance();
        bus.timer().schedule(pause, this::testTheWaters);
    }

    private synchronized void testTheWaters() {
        if (closing || mode != Mode.BACKOFF_PAUSED) {
            return;
        }
        mode = Mode.BACKOFF_TESTING;
        rebalance();
    }

    // ---- the Subscription API ----------------------------------------------------------------------

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public synchronized void pause() {
        paused = true;
        rebalance();
    }

    @Override
    public synchronized void resume() {
        paused = false;
        rebalance();
    }

    @Override
    public boolean isPaused() {
        return paused;
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> ready() {
        return ready.copy();
    }

    @Override
    public int inFlight() {
        return inFlight.count();
    }

    /** The connections subscribed now, with their RDY and in-flight counts (for tests and logs). */
    synchronized List<ConsumerConnection> connections() {
        return live();
    }

    /**
     * Closes as an NSQ client should: CLS on every connection (the broker stops sending and answers
     * CLOSE_WAIT), then waits up to the close timeout for running handlers, requeues what is still
     * unanswered, and closes the sockets once those commands are out.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (poller != null) {
            poller.close();
        }
        timers.forEach(t -> t.cancel(false));
        List<ClientConnection> open = new ArrayList<>();
        List<CompletableFuture<byte[]>> closeWaits = new ArrayList<>();
        synchronized (this) {
            closing = true;
            for (Node node : nodes.values()) {
                if (node.reconnect != null) {
                    node.reconnect.cancel(false);
                }
                if (node.connection != null && node.connection.isOpen()) {
                    ClientConnection c = node.connection.connection();
                    open.add(c);
                    closeWaits.add(c.request(ClientCommand.CLS));
                }
            }
        }
        awaitQuietly(
                CompletableFuture.allOf(closeWaits.toArray(CompletableFuture[]::new)),
                connect.timeouts().responseTimeout());
        running.awaitOthers(options.closeTimeout());
        dispatcher.drainTo(ClientMessage::requeueOnClose);
        inFlight.requeueOnClose(running.current());
        List<CompletableFuture<Void>> closedSockets = new ArrayList<>();
        for (ClientConnection c : open) {
            closedSockets.add(c.flushAndClose());
        }
        awaitQuietly(
                CompletableFuture.allOf(closedSockets.toArray(CompletableFuture[]::new)),
                connect.timeouts().responseTimeout());
        bus.removed(this);
    }

    private static void awaitQuietly(CompletableFuture<?> future, Duration timeout) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            log.debug("closing: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "Subscription[" + topic + "/" + channel + ", " + connections() + "]";
    }
}
