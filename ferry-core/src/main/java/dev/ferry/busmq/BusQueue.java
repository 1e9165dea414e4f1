package dev.ferry.busmq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Bus;
import dev.ferry.InvalidNameException;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.NotSupportedException;
import dev.ferry.PublishRejectedException;
import dev.ferry.TopicStats;
import dev.ferry.internal.busmq.QueueConsumer;
import dev.ferry.spi.BusmqQueues;
import dev.ferry.spi.QueueStateStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A busmq queue over a {@link Bus}: clients attach to a named queue, push messages into it and
 * consume them; a queue that nobody is attached to expires after its ttl and loses its messages.
 *
 * <pre>{@code
 * try (BusQueue q = BusQueue.of(bus, "jobs")) {
 *     q.addListener(BusQueue.Listener.onMessage(text -> work(text)));
 *     q.attach();                         // ttl 30 s once nobody is attached
 *     q.push("{\"job\":42}");
 *     q.consume();                        // messages arrive in push order, each once
 * }                                       // close: stop consuming, detach
 * }</pre>
 *
 * <p><b>Model.</b> The queue's messages are those of the topic with the queue's name, consumed
 * through its one shared channel {@value #CHANNEL}, so any NSQ client can push to a queue by
 * publishing to that topic, or consume it by subscribing to that channel. What NSQ has no place for
 * — the ttl, the attachments, the metadata — is kept by the engine ({@link QueueStateStore}): an
 * embedded bus's own, or a Ferry broker's through its {@code /queue/*} HTTP endpoints for a bus
 * made with {@link Bus#connect}. Against a plain nsqd those calls fail with a {@link
 * NotSupportedException} naming the call.
 *
 * <p><b>In node busmq's layout.</b> When the bus's engine keeps busmq queues itself ({@link
 * dev.ferry.spi.Engine#busmqQueues()}: the Redis engine), none of the above applies: the queue is
 * stored exactly as node busmq 3.1 stores it ({@code bus:queue:NAME:*}), so node busmq clients on the
 * same Redis share it both ways ({@link #busmqCompatible()} says which). There a queue that exists
 * keeps its stored ttl and maxsize, an attached object keeps the queue alive, a consumer takes many
 * messages per round trip, {@code remove=false} reads from the head of the queue, {@link
 * Delivery#RELIABLE} with {@link #ack(long)} is busmq's reliable mode, and {@link
 * Delivery#AT_LEAST_ONCE} is refused. {@code docs/BUSMQ.md} maps every busmq call.
 *
 * <p><b>Delivery.</b> A consumer takes one message at a time, so a queue with one consumer delivers
 * in push order. By default a message is consumed {@linkplain Delivery#AT_MOST_ONCE at most once},
 * as busmq: it is removed from the queue when it is received, before the listener runs. {@link
 * Delivery#AT_LEAST_ONCE} removes it only when the listener returns, and puts it back (with the
 * bus's backoff) when the listener throws. Several consumers of one queue share its messages.
 *
 * <p><b>Events.</b> {@link Listener}s hear busmq's events. {@code attaching}, {@code attached},
 * {@code detaching}, {@code detached}, and {@code consuming} for {@link #consume} and {@link #stop}
 * run on the thread calling those methods, before they return; {@code message}, {@code error}, and
 * {@code consuming(false)} when a {@linkplain ConsumeOptions#max() maximum} was reached run on a
 * Ferry thread, one message at a time and in order. A listener that throws is logged and otherwise
 * ignored, except from {@code message} under {@link Delivery#AT_LEAST_ONCE}, where it requeues the
 * message.
 *
 * <p><b>Differences from busmq.</b> Operations block and return their result (busmq's callbacks);
 * errors of a call are thrown by that call ({@code error} events carry only what happens in the
 * background, such as a listener failing). busmq's {@code close} and {@code flush} are {@link
 * #destroy} and {@link #purge}; {@link #close} is Java's: stop and detach. A consumer with {@code
 * remove=false} reads through a channel of its own, so it sees the messages pushed from the moment
 * it starts consuming, not those already waiting. Metadata values are strings. {@link #pushed} and
 * {@link #consumed} count this object's messages since it was created.
 *
 * <p>Thread-safe. Operations other than listener calls block until the bus (or broker) answered.
 */
public final class BusQueue implements AutoCloseable {
    /** The ttl of {@link #attach()}: 30 seconds, as busmq. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);

    /** The shared channel of a queue's topic, through which removing consumers take messages. */
    public static final String CHANNEL = "queue";

    private static final Logger log = LoggerFactory.getLogger(BusQueue.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Bus bus;
    private final String name;
    /** The queue in node busmq's layout when the bus's engine keeps one, else null (topics). */
    private final BusmqQueues.Queue layout;

    private final AtomicLong lastAcked = new AtomicLong();
    private final String attachment = UUID.randomUUID().toString();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong pushed = new AtomicLong();
    private final AtomicLong consumed = new AtomicLong();
    private final Object lock = new Object();
    private boolean attached;
    private BusmqQueues.Consumption consumer;

    private BusQueue(Bus bus, String name, BusmqQueues.Queue layout) {
        this.bus = bus;
        this.name = name;
        this.layout = layout;
    }

    /**
     * A handle on the queue {@code name} of {@code bus}; nothing is created until {@link #attach}.
     * On a bus whose engine keeps busmq's layout (the Redis engine) any non-empty name without
     * control characters is accepted, as busmq does; elsewhere the name must be a valid topic name.
     *
     * @throws InvalidNameException when {@code name} is not a valid name
     */
    public static BusQueue of(Bus bus, String name) {
        Objects.requireNonNull(bus, "bus");
        Optional<BusmqQueues> busmq = busmqLayout(bus);
        if (busmq.isPresent()) {
            return new BusQueue(bus, checkBusmqName(name), busmq.get().queue(name));
        }
        return new BusQueue(bus, Names.checkTopic(name), null);
    }

    /** The busmq layout of {@code bus}'s engine, when it keeps one. */
    static Optional<BusmqQueues> busmqLayout(Bus bus) {
        return bus instanceof BusmqQueues.Provider p ? p.busmqQueues() : Optional.empty();
    }

    private static String checkBusmqName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidNameException(
                    "queue name '" + name + "' is not valid: it must be non-empty and without control characters");
        }
        return name;
    }

    /**
     * Whether this queue is kept in node busmq's layout (the bus's engine is Redis), so node busmq
     * clients on the same Redis share it; otherwise it is a topic with one shared channel.
     */
    public boolean busmqCompatible() {
        return layout != null;
    }

    /** The queue's name, which is also its topic's. */
    public String name() {
        return name;
    }

    /** Adds a listener of this object's events. */
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener; does nothing when it was not added. */
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    private QueueStateStore store(String call) {
        if (bus instanceof QueueStateStore.Provider p) {
            return p.queueState();
        }
        throw new NotSupportedException(
                "BusQueue." + call + " needs a bus that keeps queue state (embedded, or connected to Ferry brokers);"
                        + " this bus (" + bus.getClass().getSimpleName() + ") has none");
    }

    /** Attaches with {@link #DEFAULT_TTL}; see {@link #attach(Duration)}. */
    public boolean attach() {
        return attach(DEFAULT_TTL);
    }

    /** Attaches with {@code ttl} and no maxsize; see {@link #attach(Duration, long)}. */
    public boolean attach(Duration ttl) {
        return attach(ttl, 0);
    }

    /**
     * Attaches to the queue, creating it (its topic and shared channel too) when it does not exist,
     * and sets its ttl: how long it lives once nobody is attached. Attaching again renews this
     * object's attachment and sets the ttl.
     *
     * <p>In busmq's layout (see {@link #busmqCompatible()}) the ttl and maxsize of a queue that
     * exists already are those stored with it, as in busmq, and this object keeps the queue alive
     * (re-sends its expiry every ttl/3) until it detaches. There the ttl is in whole seconds.
     *
     * @param maxsize the most messages the queue may hold, 0 for no limit (busmq's layout only): a
     *     push into a full queue is refused ({@link #tryPush} answers false)
     * @return {@code true} when the queue already existed (also given to {@link Listener#attached})
     * @throws IllegalArgumentException when {@code ttl} is under 1 ms (under 1 s or not whole
     *     seconds in busmq's layout) or {@code maxsize} is negative
     * @throws NotSupportedException when the bus keeps no queue state (e.g. a plain nsqd), or for a
     *     maxsize on a bus without busmq's layout
     */
    public boolean attach(Duration ttl, long maxsize) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("queue ttl must be at least 1 ms, got " + ttl);
        }
        if (maxsize < 0) {
            throw new IllegalArgumentException("queue maxsize must not be negative, got " + maxsize);
        }
        if (layout != null && (ttl.toMillis() % 1000 != 0)) {
            throw new IllegalArgumentException("queue '" + name + "' is kept in busmq's layout, whose ttl is in whole"
                    + " seconds; got " + ttl.toMillis() + " ms");
        }
        if (layout == null && maxsize > 0) {
            throw new NotSupportedException("a maxsize for queue '" + name + "' needs a bus that keeps busmq's layout"
                    + " (the Redis engine); this bus keeps queues as topics, bounded by the engine's depth policy");
        }
        synchronized (lock) {
            emit(Listener::attaching);
            if (layout != null) {
                boolean existed = layout.attach(ttl, maxsize);
                attached = true;
                emit(l -> l.attached(existed));
                return existed;
            }
            boolean existed = store("attach").attach(name, attachment, ttl, Duration.ZERO);
            bus.admin().createChannel(name, CHANNEL);
            attached = true;
            emit(l -> l.attached(existed));
            return existed;
        }
    }

    /**
     * Detaches from the queue; once it has no attachment left it expires after its ttl unless
     * someone attaches again. Stops consuming first. Does nothing when not attached.
     */
    public void detach() {
        stop();
        synchronized (lock) {
            if (!attached) {
                return;
            }
            emit(Listener::detaching);
            attached = false;
            if (layout != null) {
                layout.detach();
            } else {
                store("detach").detach(name, attachment);
            }
            emit(Listener::detached);
        }
    }

    /** Whether this object is attached. */
    public boolean isAttached() {
        synchronized (lock) {
            return attached;
        }
    }

    private void requireAttached(String call) {
        if (!isAttached()) {
            throw new IllegalStateException("BusQueue." + call + " on queue '" + name + "' needs attach() first");
        }
    }

    /**
     * Pushes a message (its UTF-8 bytes), blocking until the bus stored it.
     *
     * @throws IllegalStateException when not attached
     * @throws PublishRejectedException when the message is empty or a limit refuses it (a full
     *     queue in busmq's layout, see {@link #tryPush})
     */
    public void push(String message) {
        if (!tryPush(message)) {
            throw new PublishRejectedException(
                    "queue '" + name + "' is full (its maxsize is reached); the message" + " was not pushed");
        }
    }

    /**
     * Pushes a message, as {@link #push}, except that a queue full to its maxsize (busmq's layout)
     * answers {@code false} instead of throwing, as busmq's push answers no id.
     *
     * @return {@code true} when the message was pushed
     * @throws IllegalStateException when not attached
     */
    public boolean tryPush(String message) {
        Objects.requireNonNull(message, "message");
        return tryPushAll(List.of(message));
    }

    /**
     * Pushes several messages in order, all or none; in busmq's layout in one round trip (a node
     * busmq consumer sees them as separate pushes).
     *
     * @return {@code false} when the queue's maxsize refused them (busmq's layout only); then none
     *     was pushed
     * @throws IllegalStateException when not attached
     */
    public boolean tryPushAll(List<String> messages) {
        List<String> batch = List.copyOf(messages);
        requireAttached("push");
        if (batch.isEmpty()) {
            return true;
        }
        if (layout != null) {
            if (layout.push(batch) == 0) {
                return false;
            }
        } else {
            for (String m : batch) {
                bus.publish(name, m.getBytes(StandardCharsets.UTF_8));
            }
        }
        pushed.addAndGet(batch.size());
        return true;
    }

    /**
     * Pushes {@code value} as JSON text (Jackson's default mapping), as {@link #push(String)}.
     *
     * @throws IllegalArgumentException when the value cannot be written as JSON
     */
    public void pushJson(Object value) {
        String text;
        try {
            text = JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot write " + value.getClass().getName() + " as JSON: " + e, e);
        }
        push(text);
    }

    /** Consumes with {@link ConsumeOptions#DEFAULT}; see {@link #consume(ConsumeOptions)}. */
    public void consume() {
        consume(ConsumeOptions.DEFAULT);
    }

    /**
     * Starts consuming: each message goes to the listeners' {@link Listener#message}. Emits {@code
     * consuming(true)}. With a maximum, consumption stops by itself after that many messages and
     * emits {@code consuming(false)}.
     *
     * @throws IllegalStateException when not attached, or already consuming
     */
    public void consume(ConsumeOptions options) {
        Objects.requireNonNull(options, "options");
        synchronized (lock) {
            requireAttached("consume");
            if (consumer != null && !consumer.stopped()) {
                throw new IllegalStateException("queue '" + name + "' is already being consumed by this object");
            }
            if (layout != null) {
                consumeBusmq(options);
                return;
            }
            if (options.delivery() == Delivery.RELIABLE) {
                throw new NotSupportedException("reliable consumption of queue '" + name + "' needs a bus that keeps"
                        + " busmq's layout (the Redis engine); use AT_LEAST_ONCE here");
            }
            String channel = options.remove()
                    ? CHANNEL
                    : "peek-" + UUID.randomUUID().toString().substring(0, 8) + Names.EPHEMERAL_SUFFIX;
            if (!options.remove()) {
                // made now, not when a connected bus's SUB lands, so it sees every later push
                bus.admin().createChannel(name, channel);
            }
            QueueConsumer[] self = new QueueConsumer[1];
            QueueConsumer started = QueueConsumer.start(
                    bus,
                    name,
                    channel,
                    options.max(),
                    options.delivery() == Delivery.AT_LEAST_ONCE,
                    text -> deliver(0, text),
                    e -> emit(l -> l.error(e)),
                    () -> maxReached(self[0]));
            self[0] = started;
            consumer = started;
            emit(l -> l.consuming(true));
        }
    }

    private void consumeBusmq(ConsumeOptions options) {
        if (options.delivery() == Delivery.AT_LEAST_ONCE) {
            throw new NotSupportedException("queue '" + name + "' is kept in busmq's layout, which has no redelivery;"
                    + " use Delivery.RELIABLE (acknowledge with ack(id)) or AT_MOST_ONCE");
        }
        boolean reliable = options.delivery() == Delivery.RELIABLE;
        if (reliable && !options.remove()) {
            throw new IllegalArgumentException("reliable consumption of queue '" + name + "' needs remove=true");
        }
        long last = options.lastAcked() > 0 ? options.lastAcked() : lastAcked.get();
        BusmqQueues.Consumption[] self = new BusmqQueues.Consumption[1];
        self[0] = layout.consume(options.remove(), options.max(), reliable, last, new BusmqQueues.Sink() {
            @Override
            public void message(long id, String message) {
                try {
                    deliver(id, message);
                } catch (RuntimeException e) {
                    emit(l -> l.error(e));
                }
            }

            @Override
            public void error(Throwable error) {
                emit(l -> l.error(error));
            }

            @Override
            public void done() {
                maxReached(self[0]);
            }
        });
        consumer = self[0];
        emit(l -> l.consuming(true));
    }

    /**
     * busmq's {@code ack}: under {@link Delivery#RELIABLE}, acknowledges every message consumed up
     * to and including {@code id} (the id given to {@link Listener#message(String, long)}), so it
     * is not restored by the next reliable {@link #consume}. Blocks until stored.
     *
     * @throws IllegalStateException when not attached
     * @throws NotSupportedException when the queue is not kept in busmq's layout
     */
    public void ack(long id) {
        requireAttached("ack");
        if (layout == null) {
            throw new NotSupportedException(
                    "ack on queue '" + name + "' needs a bus that keeps busmq's layout" + " (the Redis engine)");
        }
        layout.ack(id);
        lastAcked.accumulateAndGet(id, Math::max);
    }

    private void deliver(long id, String text) {
        consumed.incrementAndGet();
        for (Listener l : listeners) {
            l.message(text, id); // under AT_LEAST_ONCE a throw requeues the message
        }
    }

    private void maxReached(BusmqQueues.Consumption which) {
        synchronized (lock) {
            if (consumer == which) {
                consumer = null;
            }
        }
        emit(l -> l.consuming(false));
    }

    /** Whether this object is consuming. */
    public boolean isConsuming() {
        synchronized (lock) {
            return consumer != null && !consumer.stopped();
        }
    }

    /**
     * Stops consuming: messages not yet received stay in the queue. Emits {@code consuming(false)}.
     * Does nothing when not consuming. May be called from a listener.
     */
    public void stop() {
        BusmqQueues.Consumption c;
        synchronized (lock) {
            c = consumer;
            consumer = null;
        }
        if (c != null && !c.stopped()) {
            c.stop();
            emit(l -> l.consuming(false));
        }
    }

    /**
     * busmq's {@code close}: deletes the queue with every message and its state, for every client.
     * This object stops consuming and is no longer attached (no detach events).
     */
    public void destroy() {
        stop();
        synchronized (lock) {
            attached = false;
            if (layout != null) {
                layout.detach();
                layout.destroy();
            } else {
                store("destroy").destroy(name);
            }
        }
    }

    /** busmq's {@code flush}: removes every message waiting in the queue. The queue stays. */
    public void purge() {
        if (layout != null) {
            layout.flush();
            return;
        }
        try {
            bus.admin().emptyChannel(name, CHANNEL);
        } catch (NotFoundException e) {
            // nothing to empty
        }
    }

    /** Whether the queue exists: attached by someone, or detached for less than its ttl. */
    public boolean exists() {
        if (layout != null) {
            return layout.exists();
        }
        return store("exists").state(name).isPresent();
    }

    /**
     * The number of messages in the queue: waiting, deferred and being delivered through its shared
     * channel (0 when it does not exist).
     */
    public long count() {
        if (layout != null) {
            return layout.count();
        }
        Optional<TopicStats> topic = bus.admin().topic(name);
        if (topic.isEmpty()) {
            return 0;
        }
        return topic.get().channels().stream()
                .filter(c -> c.name().equals(CHANNEL))
                .findFirst()
                .map(c -> c.depth() + c.inFlight() + c.deferred())
                .orElse(topic.get().depth());
    }

    /** The queue's ttl, or empty when the queue does not exist. */
    public Optional<Duration> ttl() {
        if (layout != null) {
            return layout.ttl();
        }
        return store("ttl").state(name).map(QueueStateStore.QueueState::ttl);
    }

    /** One metadata value of the queue; empty when unset or when the queue does not exist. */
    public Optional<String> metadata(String key) {
        Objects.requireNonNull(key, "key");
        if (layout != null) {
            return layout.metadata(key);
        }
        return store("metadata").state(name).map(s -> s.metadata().get(key));
    }

    /**
     * Sets one metadata value of the queue ({@code null} removes it); kept by the engine, and
     * across restarts by a durable one.
     *
     * @throws NotFoundException when the queue does not exist
     */
    public void metadata(String key, String value) {
        Objects.requireNonNull(key, "key");
        if (layout != null) {
            layout.metadata(key, value);
            return;
        }
        store("metadata").setMetadata(name, key, value);
    }

    /** Messages pushed through this object. */
    public long pushed() {
        return pushed.get();
    }

    /** Messages this object consumed (handed to its listeners). */
    public long consumed() {
        return consumed.get();
    }

    /** Stops consuming and detaches (Java's close, not busmq's: see {@link #destroy}). Idempotent. */
    @Override
    public void close() {
        stop();
        detach();
    }

    private void emit(Consumer<Listener> event) {
        for (Listener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                log.warn("queue {}: a listener failed", name, e);
            }
        }
    }

    @Override
    public String toString() {
        return "BusQueue[" + name + (isAttached() ? ", attached" : "") + (isConsuming() ? ", consuming" : "") + "]";
    }

    /** How a consumer's messages are removed from the queue. */
    public enum Delivery {
        /** Removed when received, before the listener runs: never twice, lost if the listener fails. */
        AT_MOST_ONCE,
        /** Removed when the listener returns; requeued with backoff when it throws. */
        AT_LEAST_ONCE,
        /**
         * busmq's reliable mode (busmq's layout only): removed when received but kept aside until
         * {@link #ack(long) acknowledged} (cumulatively, by id); the next reliable {@link #consume}
         * puts every message not acknowledged back at the head of the queue, in order. Sound with a
         * single consumer only, as in busmq.
         */
        RELIABLE
    }

    /**
     * How {@link #consume(ConsumeOptions)} consumes.
     *
     * @param remove {@code true} (the default) to take messages out of the queue; {@code false} to
     *     read them and leave them for others (only those pushed once consuming started)
     * @param max the most messages to consume before stopping, or 0 for no limit (the default)
     * @param delivery at most once (the default), at least once, or busmq's reliable mode
     * @param lastAcked under {@link Delivery#RELIABLE}, busmq's {@code last}: the last id known to be
     *     acknowledged (0: the last this object acknowledged)
     */
    public record ConsumeOptions(boolean remove, long max, Delivery delivery, long lastAcked) {
        /** Remove, no maximum, at most once. */
        public static final ConsumeOptions DEFAULT = new ConsumeOptions(true, 0, Delivery.AT_MOST_ONCE);

        /** Validates the values. */
        public ConsumeOptions {
            if (max < 0) {
                throw new IllegalArgumentException("max must not be negative, got " + max);
            }
            if (lastAcked < 0) {
                throw new IllegalArgumentException("lastAcked must not be negative, got " + lastAcked);
            }
            Objects.requireNonNull(delivery, "delivery");
        }

        /** Options without a {@code lastAcked}. */
        public ConsumeOptions(boolean remove, long max, Delivery delivery) {
            this(remove, max, delivery, 0);
        }

        /** A copy with another {@code remove}. */
        public ConsumeOptions withRemove(boolean value) {
            return new ConsumeOptions(value, max, delivery, lastAcked);
        }

        /** A copy with another maximum. */
        public ConsumeOptions withMax(long value) {
            return new ConsumeOptions(remove, value, delivery, lastAcked);
        }

        /** A copy with another delivery. */
        public ConsumeOptions withDelivery(Delivery value) {
            return new ConsumeOptions(remove, max, value, lastAcked);
        }

        /** A copy with another {@code lastAcked}. */
        public ConsumeOptions withLastAcked(long value) {
            return new ConsumeOptions(remove, max, delivery, value);
        }
    }

    /** busmq's queue events; every method does nothing unless overridden. */
    public interface Listener {
        /** Attaching starts. */
        default void attaching() {}

        /** Attached; {@code existed} is false when this attach created the queue. */
        default void attached(boolean existed) {}

        /** Detaching starts. */
        default void detaching() {}

        /** Detached; the queue lives on for its ttl if nobody else is attached. */
        default void detached() {}

        /** Consuming started ({@code true}) or stopped ({@code false}). */
        default void consuming(boolean consuming) {}

        /** A message was consumed (its body as UTF-8 text). */
        default void message(String message) {}

        /**
         * A message was consumed, with its busmq id (for {@link BusQueue#ack(long)}; 0 when the
         * queue is not kept in busmq's layout). By default calls {@link #message(String)}.
         */
        default void message(String message, long id) {
            message(message);
        }

        /** Something failed in the background, e.g. a listener under at-most-once delivery. */
        default void error(Throwable error) {}

        /** A listener of messages only. */
        static Listener onMessage(Consumer<String> handler) {
            Objects.requireNonNull(handler, "handler");
            return new Listener() {
                @Override
                public void message(String message) {
                    handler.accept(message);
                }
            };
        }
    }
}
