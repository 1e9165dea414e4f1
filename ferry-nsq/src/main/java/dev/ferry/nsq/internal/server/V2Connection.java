package dev.ferry.nsq.internal.server;

import dev.ferry.Names;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.nsq.internal.codec.Inbound;
import dev.ferry.nsq.internal.metrics.BrokerTraffic;
import dev.ferry.nsq.internal.protocol.GoQuote;
import dev.ferry.nsq.internal.protocol.NsqError;
import dev.ferry.spi.Engine;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection speaking NSQ's TCP protocol V2, over an engine: reads the commands, keeps
 * their order and the connection's state (nsqd's INIT, SUBSCRIBED, CLOSING), handles SUB and CLS,
 * and hands every other command to the part that owns it:
 *
 * <ul>
 *   <li>{@link IdentifyNegotiation}: IDENTIFY, the negotiated settings, TLS and compression;
 *   <li>{@link AuthSession}: AUTH and the permission checks;
 *   <li>{@link PublishCommands}: PUB, MPUB, DPUB;
 *   <li>{@link DeliveryWindow}: RDY, the messages in flight, the claim loop, FIN, REQ and TOUCH;
 *   <li>{@link Heartbeats}: heartbeats and the read deadline of twice their interval.
 * </ul>
 *
 * <p>With TLS required, nothing but IDENTIFY is accepted until the client has upgraded to TLS, as
 * nsqd.
 *
 * <p>Commands are handled one at a time and in order: while a part waits for an answer from
 * elsewhere (a publish for the engine's durability promise, a FIN, REQ or TOUCH for the engine's
 * answer, AUTH for the auth service) it {@linkplain #hold() holds} the connection, later commands
 * wait, and the part {@linkplain #release() releases} and {@linkplain #drainWaiting() drains} them
 * once it has answered; so responses (OK, E_FIN_FAILED and the other answers) keep the order of the
 * commands. An engine whose stages are complete at once (the embedded one) never makes a command
 * wait.
 *
 * <p>Threading: everything runs on the connection's event loop, which never waits for the engine:
 * what an engine stage brings is handed back to the event loop when the stage completes.
 */
final class V2Connection extends SimpleChannelInboundHandler<Inbound> {
    private static final Logger log = LoggerFactory.getLogger(V2Connection.class);

    /** nsqd's client states. */
    enum State {
        INIT,
        SUBSCRIBED,
        CLOSING
    }

    private final ServerOptions options;
    private final boolean tlsRequired;
    private final ClientRegistry clients;
    private final Heartbeats heartbeats;
    private final IdentifyNegotiation identify;
    private final AuthSession auth;
    private final PublishCommands publishing;
    private final DeliveryWindow window;

    private ChannelHandlerContext ctx;
    private ClientActivity activity;
    private State state = State.INIT;
    private final ArrayDeque<Inbound> waiting = new ArrayDeque<>();
    private boolean busy;
    private boolean closed;

    V2Connection(
            Engine engine,
            ServerOptions options,
            SslContext tls,
            boolean tlsRequired,
            AuthClient auth,
            ClientRegistry clients) {
        this(engine, options, tls, tlsRequired, auth, null, clients);
    }

    /**
     * A connection whose peer proved who it is before the protocol started ({@code grant} not null:
     * federation over WebSocket), where the bytes cannot be upgraded in place: IDENTIFY offers neither
     * TLS (the WebSocket has its own) nor compression, and AUTH is not offered.
     */
    V2Connection(
            Engine engine,
            ServerOptions options,
            SslContext tls,
            boolean tlsRequired,
            AuthClient auth,
            PeerGrant grant,
            ClientRegistry clients) {
        this.options = options;
        this.tlsRequired = tlsRequired;
        this.clients = clients;
        this.heartbeats = new Heartbeats(this, options.heartbeatInterval().toMillis());
        this.identify =
                new IdentifyNegotiation(this, options, tls, grant == null && auth != null, grant == null, heartbeats);
        this.auth = new AuthSession(this, auth, grant, options);
        this.publishing = new PublishCommands(this, engine, options, this.auth);
        this.window = new DeliveryWindow(this, engine, options, identify);
    }

    // ---- what the parts use ---------------------------------------------------------------------

    /** The connection's context; set once the handler is added. */
    ChannelHandlerContext ctx() {
        return ctx;
    }

    /** What {@code /stats} shows of this client; set once the connection is active. */
    ClientActivity activity() {
        return activity;
    }

    State state() {
        return state;
    }

    /** Whether the connection is closed or closing after a fatal error: nothing more is handled. */
    boolean closed() {
        return closed;
    }

    /** Later commands wait until {@link #release()} and {@link #drainWaiting()}. */
    void hold() {
        busy = true;
    }

    /** Lets commands be handled again; call {@link #drainWaiting()} after answering. */
    void release() {
        busy = false;
    }

    /** Handles the commands that waited, until one holds the connection again. */
    void drainWaiting() {
        while (!busy && !closed && !waiting.isEmpty()) {
            handle(waiting.poll());
        }
    }

    /** Drops the commands that waited (bytes sent before an upgrade of the encoding). */
    void discardWaiting() {
        waiting.clear();
    }

    /** Writes and flushes a frame. */
    void respond(Frame frame) {
        ctx.writeAndFlush(frame);
    }

    /** Sends an error; a fatal one closes the connection once written. */
    void fail(NsqError e) {
        log.debug("client {}: {}", ctx.channel(), e.getMessage());
        if (e.isFatal()) {
            closed = true;
            ctx.writeAndFlush(e.frame()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(e.frame());
        }
    }

    /** Closes the connection. */
    void close() {
        closed = true;
        ctx.close();
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        activity = new ClientActivity(
                hostPort(ctx.channel().remoteAddress()), options.clock().millis() / 1000);
        clients.add(activity);
        heartbeats.start();
        super.channelActive(ctx);
    }

    /** {@code ip:port} as Go prints a remote address ({@code [ip]:port} for IPv6). */
    private static String hostPort(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress a && a.getAddress() != null) {
            String ip = a.getAddress().getHostAddress();
            return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        window.readComplete();
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            window.pump();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        if (activity != null) {
            clients.remove(activity);
        }
        heartbeats.stop();
        window.requeueAll();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause.getCause() instanceof javax.net.ssl.SSLException tls) {
            // the client's doing (no certificate, an unknown authority, an old version): not ours
            log.info("client {}: TLS failed: {}", ctx.channel(), tls.getMessage());
        } else {
            log.warn("client {}: {}", ctx.channel(), cause.toString());
        }
        close();
    }

    // ---- inbound --------------------------------------------------------------------------------

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Inbound inbound) {
        heartbeats.read();
        if (busy) {
            waiting.add(inbound);
            return;
        }
        handle(inbound);
    }

    private void handle(Inbound inbound) {
        if (closed) {
            return;
        }
        switch (inbound) {
            case Inbound.BadMagic bad -> fail(NsqError.fatal("E_BAD_PROTOCOL", ""));
            case Inbound.LineTooLong tooLong -> {
                log.info("client {}: command line longer than {} bytes; closing", ctx.channel(), tooLong.limit());
                close();
            }
            case Inbound.Answer answer -> {
                if (answer.name().equals("FIN") && window.queueFin(answer.messageId(), answer)) {
                    return; // answered with the read's other FINs (DeliveryWindow#flushFins)
                }
                afterQueuedFins(answer);
            }
            case Inbound.Command command -> {
                if (command.name().equals("FIN") && window.queueFin(command)) {
                    return; // answered with the read's other FINs (DeliveryWindow#flushFins)
                }
                afterQueuedFins(command);
            }
        }
    }

    /** Handles a command once the engine has answered the FINs queued before it. */
    private void afterQueuedFins(Inbound inbound) {
        if (window.flushFins()) {
            waiting.addFirst(inbound); // after the engine answered the FINs before it
            return;
        }
        if (closed) {
            return;
        }
        try {
            switch (inbound) {
                case Inbound.Answer answer -> answer(answer);
                case Inbound.Command command -> execute(command);
                default -> throw new IllegalStateException("not a command: " + inbound);
            }
        } catch (NsqError e) {
            fail(e);
        }
    }

    /** FIN, REQ or TOUCH in their usual form (see {@link Inbound.Answer}). */
    private void answer(Inbound.Answer a) {
        requireTlsUnlessIdentify(a.name());
        switch (a.name()) {
            case "FIN" -> window.fin(a);
            case "REQ" -> window.req(a);
            case "TOUCH" -> window.touch(a);
            default -> throw new IllegalStateException("not an answer: " + a.name());
        }
    }

    private void requireTlsUnlessIdentify(String name) {
        if (tlsRequired && !name.equals("IDENTIFY") && !TlsPeer.established(ctx.pipeline())) {
            throw NsqError.fatal("E_INVALID", "cannot " + name + " in current state (TLS required)");
        }
    }

    private void execute(Inbound.Command c) {
        requireTlsUnlessIdentify(c.name());
        switch (c.name()) {
            case "IDENTIFY" -> {
                requireState(State.INIT, "IDENTIFY");
                identify.identify(c);
            }
            case "SUB" -> sub(c);
            case "PUB" -> publishing.pub(c);
            case "MPUB" -> publishing.mpub(c);
            case "DPUB" -> publishing.dpub(c);
            case "RDY" -> rdy(c);
            case "FIN" -> window.fin(c);
            case "REQ" -> window.req(c);
            case "TOUCH" -> window.touch(c);
            case "CLS" -> cls();
            case "NOP" -> {}
            case "AUTH" -> {
                requireState(State.INIT, "AUTH");
                auth.authenticate(c);
            }
            default -> throw NsqError.fatal("E_INVALID", "invalid command " + c.name());
        }
    }

    private void requireState(State expected, String cmd) {
        if (state != expected) {
            throw NsqError.fatal("E_INVALID", "cannot " + cmd + " in current state");
        }
    }

    // ---- SUB, RDY and CLS: the state changes ----------------------------------------------------

    private void sub(Inbound.Command c) {
        requireState(State.INIT, "SUB");
        if (heartbeats.intervalMillis() <= 0) {
            throw NsqError.fatal("E_INVALID", "cannot SUB with heartbeats disabled");
        }
        if (c.params().size() < 2) {
            throw NsqError.fatal("E_INVALID", "SUB insufficient number of parameters");
        }
        String t = c.params().get(0);
        String ch = c.params().get(1);
        if (!Names.isValid(t)) {
            throw NsqError.fatal("E_BAD_TOPIC", "SUB topic name " + GoQuote.quote(t) + " is not valid");
        }
        if (!Names.isValid(ch)) {
            throw NsqError.fatal("E_BAD_CHANNEL", "SUB channel name " + GoQuote.quote(ch) + " is not valid");
        }
        auth.authorized("SUB", t, ch, () -> {
            try {
                window.subscribe(t, ch);
            } catch (RuntimeException e) {
                throw NsqError.fatal("E_SUB_FAILED", "SUB failed " + e.getMessage());
            }
            state = State.SUBSCRIBED;
            activity.topic = t;
            activity.channel = ch;
            activity.state = ClientActivity.STATE_SUBSCRIBED;
            respond(Frame.OK);
        });
    }

    /** The broker's protocol counts, for the delivery window. */
    BrokerTraffic traffic() {
        return clients.traffic();
    }

    private void rdy(Inbound.Command c) {
        if (state == State.CLOSING) {
            return;
        }
        requireState(State.SUBSCRIBED, "RDY");
        window.rdy(c);
    }

    private void cls() {
        requireState(State.SUBSCRIBED, "CLS");
        state = State.CLOSING;
        window.close();
        activity.state = ClientActivity.STATE_CLOSING;
        respond(Frame.CLOSE_WAIT);
    }
}
