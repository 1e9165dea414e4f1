package dev.ferry.busmq;

import dev.ferry.Bus;
import dev.ferry.InvalidNameException;
import dev.ferry.Names;
import dev.ferry.internal.busmq.BusmqFraming;
import dev.ferry.internal.busmq.DuplexEnvelope;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A busmq channel (called a duplex here, since NSQ already owns "channel"): a two-way link between
 * two peers, each with a role, made of two {@link BusQueue}s named {@code NAME.ROLE}. A peer
 * consumes the queue of its local role and pushes to the queue of its remote role; it does not
 * matter which peer connects first, and messages sent before the peer connects wait in its queue
 * (for the queue's ttl once nobody is attached).
 *
 * <pre>{@code
 * // server                                   // client
 * Duplex s = Duplex.of(bus, "bar");           Duplex c = Duplex.of(bus, "bar");
 * s.addListener(serverEvents);                c.addListener(clientEvents);
 * s.listen();  // consumes bar.remote         c.connect();  // consumes bar.local
 * s.send("hello client");                     c.send("hello server");
 * }</pre>
 *
 * <p><b>Roles.</b> By default the local role is {@code local} and the remote role {@code remote}:
 * one peer calls {@link #connect()} (consumes {@code local}, sends to {@code remote}) and the other
 * {@link #listen()} (the reverse). With explicit roles, such as {@code of(bus, "zoo", "server",
 * "client")} on one side and {@code of(bus, "zoo", "client", "server")} on the other, both call
 * {@link #connect()}.
 *
 * <p><b>Events.</b> {@code connect} and {@code disconnect} run on the calling thread before {@link
 * #connect()}/{@link #listen()} and {@link #disconnect()}/{@link #end()} return; {@code
 * remote:connect}, {@code remote:disconnect}, {@code message}, {@code end} and {@code error} run
 * on a Ferry thread, one at a time, in the order the peer sent them. A peer learns of the other's
 * connect whichever connected first, since the connect notice waits in its queue.
 *
 * <p><b>Delivery.</b> At most once by default, as busmq; {@link Options#delivery()} {@link
 * BusQueue.Delivery#AT_LEAST_ONCE} redelivers a message whose listener threw.
 *
 * <p><b>Wire format.</b> Each body is a JSON object: {@code {"type":"message","message":TEXT}},
 * {@code {"type":"connect"}}, {@code {"type":"disconnect"}} or {@code {"type":"end"}}; a body that
 * is not such an object is delivered as a message as it is. So a client in any language can take
 * part by publishing to and subscribing to the topics {@code NAME.ROLE} (channel {@value
 * BusQueue#CHANNEL}).
 *
 * <p>On a bus that keeps node busmq's layout (the Redis engine, see {@link
 * BusQueue#busmqCompatible()}), the queues are busmq's {@code channel:ROLE:NAME} and the bodies carry
 * busmq's framing ({@code :1:} connect, {@code :2:TEXT} message, {@code :3:} disconnect, {@code :4:}
 * end), so a node busmq peer takes either side; a body without that framing is reported as an
 * {@code error} and dropped, and {@link BusQueue.Delivery#AT_LEAST_ONCE} is refused there.
 *
 * <p><b>Differences from busmq.</b> Operations block and throw their errors; {@code attach} and
 * {@code detach} aliases are not copied; {@link #close()} is Java's and disconnects; busmq's
 * {@code connected}/{@code remote:connected} spellings in its examples are the {@code connect} and
 * {@code remote:connect} events here.
 *
 * <p>Thread-safe. Not reusable after {@link #end()}.
 */
public final class Duplex implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Duplex.class);

    private final Bus bus;
    private final String name;
    private final Options options;
    /** Whether the bus keeps busmq's layout: queues {@code channel:ROLE:NAME}, busmq's framing. */
    private final boolean busmqLayout;

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private BusQueue inbound;
    private BusQueue outbound;
    private volatile boolean ended;

    private Duplex(Bus bus, String name, Options options) {
        this.bus = bus;
        this.name = name;
        this.options = options;
        this.busmqLayout = BusQueue.busmqLayout(bus).isPresent();
        if (!busmqLayout) {
            Names.checkTopic(topic(options.localRole()));
            Names.checkTopic(topic(options.remoteRole()));
        }
    }

    /** A duplex with the default roles ({@code local}, {@code remote}) and options. */
    public static Duplex of(Bus bus, String name) {
        return of(bus, name, Options.DEFAULT);
    }

    /** A duplex with explicit roles. */
    public static Duplex of(Bus bus, String name, String localRole, String remoteRole) {
        return of(bus, name, Options.DEFAULT.withRoles(localRole, remoteRole));
    }

    /**
     * A duplex with the given options; nothing is created until {@link #connect()}.
     *
     * @throws InvalidNameException when {@code NAME.ROLE} is not a valid topic name for a role
     */
    public static Duplex of(Bus bus, String name, Options options) {
        Objects.requireNonNull(bus, "bus");
        Objects.requireNonNull(name, "name");
        return new Duplex(bus, name, Objects.requireNonNull(options, "options"));
    }

    /** The duplex's name. */
    public String name() {
        return name;
    }

    /** The options, with the roles as given (not reversed by {@link #listen()}). */
    public Options options() {
        return options;
    }

    private String topic(String role) {
        return busmqLayout ? "channel:" + role + ":" + name : name + "." + role;
    }

    private String frameMessage(String text) {
        return busmqLayout ? BusmqFraming.message(text) : DuplexEnvelope.message(text);
    }

    private String frameControl(DuplexEnvelope.Type type) {
        return busmqLayout ? BusmqFraming.control(type) : DuplexEnvelope.control(type);
    }

    /** Adds a listener of this object's events. */
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener; does nothing when it was not added. */
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /**
     * Connects: attaches to both queues, emits {@code connect}, starts consuming the local role's
     * queue and tells the peer. Does nothing when connected.
     *
     * @throws IllegalStateException after {@link #end()}
     */
    public void connect() {
        open(options.localRole(), options.remoteRole());
    }

    /** Connects with the roles reversed: consumes the remote role's queue, sends to the local one's. */
    public void listen() {
        open(options.remoteRole(), options.localRole());
    }

    private void open(String consumeRole, String sendRole) {
        synchronized (lock) {
            if (ended) {
                throw new IllegalStateException("duplex '" + name + "' has ended");
            }
            if (inbound != null) {
                return;
            }
            BusQueue in = BusQueue.of(bus, topic(consumeRole));
            BusQueue out = BusQueue.of(bus, topic(sendRole));
            in.attach(options.ttl());
            try {
                out.attach(options.ttl());
            } catch (RuntimeException e) {
                in.detach();
                throw e;
            }
            inbound = in;
            outbound = out;
            emit(Listener::connect);
            in.addListener(new BusQueue.Listener() {
                @Override
                public void message(String body) {
                    received(body);
                }

                @Override
                public void error(Throwable error) {
                    emit(l -> l.error(error));
                }
            });
            in.consume(BusQueue.ConsumeOptions.DEFAULT.withDelivery(options.delivery()));
            out.push(frameControl(DuplexEnvelope.Type.CONNECT));
        }
    }

    private void received(String body) {
        if (ended) {
            return;
        }
        DuplexEnvelope envelope;
        if (busmqLayout) {
            var framed = BusmqFraming.parse(body);
            if (framed.isEmpty()) {
                emit(l -> l.error(new IllegalArgumentException(
                        "duplex '" + name + "' received a message without busmq's framing (:1: to :4:); dropped")));
                return;
            }
            envelope = framed.get();
        } else {
            envelope = DuplexEnvelope.parse(body);
        }
        switch (envelope.type()) {
            case MESSAGE -> {
                for (Listener l : listeners) {
                    l.message(envelope.message()); // may throw: requeues under AT_LEAST_ONCE
                }
            }
            case CONNECT -> emit(Listener::remoteConnect);
            case DISCONNECT -> {
                if (busmqLayout) {
                    // as node busmq: announce this side again, so a peer that connects next learns of it
                    BusQueue out;
                    synchronized (lock) {
                        out = outbound;
                    }
                    if (out != null) {
                        out.tryPush(frameControl(DuplexEnvelope.Type.CONNECT));
                    }
                }
                emit(Listener::remoteDisconnect);
            }
            case END -> {
                emit(Listener::end);
                closeQueues(true, false);
            }
        }
    }

    /**
     * Sends a message to the peer's queue, blocking until stored; the peer need not be connected.
     *
     * @throws IllegalStateException when not connected
     */
    public void send(String message) {
        Objects.requireNonNull(message, "message");
        BusQueue out;
        synchronized (lock) {
            out = outbound;
        }
        if (out == null) {
            throw new IllegalStateException("duplex '" + name + "' is not connected; call connect() or listen()");
        }
        out.push(frameMessage(message));
    }

    /**
     * Sends a message to the queue of {@code role}, without connecting: attaches to it with the
     * duplex's ttl, pushes, and detaches.
     */
    public void sendTo(String role, String message) {
        Objects.requireNonNull(message, "message");
        try (BusQueue q = BusQueue.of(bus, topic(Objects.requireNonNull(role, "role")))) {
            q.attach(options.ttl());
            q.push(frameMessage(message));
        }
    }

    /**
     * Disconnects: tells the peer, stops consuming, detaches from both queues (which live on for
     * their ttl, so a peer may connect again) and emits {@code disconnect}. Does nothing when not
     * connected.
     */
    public void disconnect() {
        closeQueues(false, true);
    }

    /**
     * Ends the duplex: tells the peer (which emits {@code end} and disconnects), stops consuming,
     * destroys this side's queue with what it still holds, detaches, and emits {@code disconnect}.
     * This object cannot connect again.
     */
    public void end() {
        BusQueue out;
        synchronized (lock) {
            out = outbound;
        }
        if (out != null) {
            out.push(frameControl(DuplexEnvelope.Type.END));
        }
        closeQueues(true, false);
    }

    private void closeQueues(boolean end, boolean notifyPeer) {
        BusQueue in;
        BusQueue out;
        synchronized (lock) {
            if (end) {
                ended = true;
            }
            in = inbound;
            out = outbound;
            inbound = null;
            outbound = null;
        }
        if (in == null) {
            return;
        }
        if (notifyPeer) {
            out.push(frameControl(DuplexEnvelope.Type.DISCONNECT));
        }
        in.stop();
        if (end) {
            in.destroy();
        } else {
            in.detach();
        }
        out.detach();
        emit(Listener::disconnect);
    }

    /** Whether this object is connected. */
    public boolean isAttached() {
        synchronized (lock) {
            return inbound != null;
        }
    }

    /** Disconnects (Java's close; see {@link #end()} to end the duplex). Idempotent. */
    @Override
    public void close() {
        disconnect();
    }

    private void emit(Consumer<Listener> event) {
        for (Listener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                log.warn("duplex {}: a listener failed", name, e);
            }
        }
    }

    @Override
    public String toString() {
        return "Duplex[" + name + ", " + options.localRole() + "/" + options.remoteRole()
                + (isAttached() ? ", connected" : "") + (ended ? ", ended" : "") + "]";
    }

    /**
     * A duplex's settings.
     *
     * @param localRole the role whose queue {@link #connect()} consumes (default {@code local})
     * @param remoteRole the role whose queue {@link #connect()} sends to (default {@code remote})
     * @param delivery at most once (the default, as busmq) or at least once
     * @param ttl the ttl of both queues (default {@link BusQueue#DEFAULT_TTL})
     */
    public record Options(String localRole, String remoteRole, BusQueue.Delivery delivery, Duration ttl) {
        /** Roles {@code local} and {@code remote}, at most once, ttl 30 s. */
        public static final Options DEFAULT =
                new Options("local", "remote", BusQueue.Delivery.AT_MOST_ONCE, BusQueue.DEFAULT_TTL);

        /** Validates the values. */
        public Options {
            Objects.requireNonNull(localRole, "localRole");
            Objects.requireNonNull(remoteRole, "remoteRole");
            Objects.requireNonNull(delivery, "delivery");
            Objects.requireNonNull(ttl, "ttl");
            if (localRole.equals(remoteRole)) {
                throw new IllegalArgumentException(
                        "the local and remote roles must differ, both are '" + localRole + "'");
            }
            if (ttl.toMillis() < 1) {
                throw new IllegalArgumentException("ttl must be at least 1 ms, got " + ttl);
            }
        }

        /** A copy with other roles. */
        public Options withRoles(String local, String remote) {
            return new Options(local, remote, delivery, ttl);
        }

        /** A copy with another delivery. */
        public Options withDelivery(BusQueue.Delivery value) {
            return new Options(localRole, remoteRole, value, ttl);
        }

        /** A copy with another ttl. */
        public Options withTtl(Duration value) {
            return new Options(localRole, remoteRole, delivery, value);
        }
    }

    /** busmq's channel events; every method does nothing unless overridden. */
    public interface Listener {
        /** This side connected. */
        default void connect() {}

        /** The peer connected (now, or before this side did). */
        default void remoteConnect() {}

        /** This side disconnected. */
        default void disconnect() {}

        /** The peer disconnected. */
        default void remoteDisconnect() {}

        /** A message from the peer. */
        default void message(String message) {}

        /** The peer ended the duplex; this side has disconnected. */
        default void end() {}

        /** Something failed in the background. */
        default void error(Throwable error) {}
    }
}
