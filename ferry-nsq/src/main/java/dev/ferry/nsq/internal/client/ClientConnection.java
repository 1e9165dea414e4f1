package dev.ferry.nsq.internal.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryException;
import dev.ferry.PublishRejectedException;
import dev.ferry.nsq.CompressionOptions;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.internal.codec.ClientCommand;
import dev.ferry.nsq.internal.codec.CommandEncoder;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.nsq.internal.codec.FrameDecoder;
import dev.ferry.nsq.internal.federation.FederationDialer;
import dev.ferry.nsq.internal.federation.FederationUrl;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.compression.JdkZlibDecoder;
import io.netty.handler.codec.compression.JdkZlibEncoder;
import io.netty.handler.codec.compression.SnappyFrameDecoder;
import io.netty.handler.codec.compression.SnappyFrameEncoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to one nsqd: the handshake (magic, IDENTIFY with feature negotiation, then TLS,
 * snappy or deflate as negotiated, then AUTH when the broker requires it), heartbeats answered with
 * NOP, and commands matched with their answers in order (nsqd answers SUB, PUB, MPUB, DPUB and CLS
 * in the order they were sent; FIN, REQ, TOUCH, RDY and NOP get no answer unless they fail).
 *
 * <p>Threading: the protocol state lives on the connection's event loop, where message frames are
 * handed to the {@link Listener}. {@link #request} and {@link #send} may be called from any thread:
 * commands go through an outbox drained on the event loop, so that the FINs of many handler threads
 * leave in one flush, and consecutive publishes to one topic leave as one MPUB ({@link
 * PublishBatcher}).
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] MAGIC = "  V2".getBytes(StandardCharsets.US_ASCII);
    private static final String HEARTBEAT = "_heartbeat_";

    /** What the owner of a connection hears from it. Called on the connection's event loop. */
    interface Listener {
        /** A message frame arrived. */
        void onMessage(ClientConnection connection, Frame.Message message);

        /** The connection closed after it was ready; {@code cause} says why. */
        void onClosed(ClientConnection connection, Throwable cause);
    }

    private enum Phase {
        IDENTIFY,
        TLS,
        SNAPPY,
        DEFLATE,
        AUTH,
        READY,
        CLOSED
    }

    /** A command waiting in the outbox; {@code answer} is null for commands nsqd does not answer. */
    record Outgoing(ClientCommand command, CompletableFuture<byte[]> answer) {}

    private record Pending(CompletableFuture<byte[]> answer, long sentNanos, boolean publish) {}

    private final String address;
    /** Set when the address is a ws:// or wss:// URL: V2 runs inside a federated WebSocket. */
    private final FederationUrl federation;

    private final ConnectOptions options;
    private final int msgTimeoutMillis;
    private final Listener listener;
    private final PublishBatcher batcher;
    private final CompletableFuture<ClientConnection> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Queue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final FrameDecoder decoder;
    private final long startNanos = System.nanoTime();
    private volatile Channel channel;
    private ChannelHandlerContext ctx;
    private volatile Phase phase = Phase.IDENTIFY;
    private JsonNode negotiated;
    private volatile Throwable closeCause;
    private ScheduledFuture<?> timeoutCheck;
    private volatile int maxRdyCount = 2500;
    private volatile long msgTimeout;

    private ClientConnection(String address, ConnectOptions options, int msgTimeoutMillis, Listener listener) {
        this.address = address;
        this.federation = FederationUrl.isWebSocket(address) ? FederationUrl.parse(address) : null;
        this.options = options;
        this.msgTimeoutMillis = msgTimeoutMillis;
        this.listener = listener;
        this.batcher = new PublishBatcher(
                options.publishing().batchMessages(), options.publishing().batchBytes());
        this.decoder = new FrameDecoder(Math.max(
                        options.publishing().maxMessageSize(),
                        options.publishing().maxBodySize())
                + 1024);
        this.msgTimeout = msgTimeoutMillis > 0 ? msgTimeoutMillis : 60_000;
    }

    /**
     * Connects to {@code address} and runs the handshake; the future completes with the connection
     * once it is ready for SUB or publishes, or fails with why.
     *
     * @param msgTimeoutMillis the {@code msg_timeout} asked for in IDENTIFY, 0 for the broker's
     */
    static CompletableFuture<ClientConnection> open(
            EventLoopGroup group, String address, ConnectOptions options, int msgTimeoutMillis, Listener listener) {
        ClientConnection c = new ClientConnection(address, options, msgTimeoutMillis, listener);
        HostPort target =
                c.federation != null ? new HostPort(c.federation.host(), c.federation.port()) : HostPort.parse(address);
        if (c.federation != null && options.security().federationKey().isEmpty()) {
            c.ready.completeExceptionally(new FerryException("the federation address " + address
                    + " needs a federation key: the name and secret of a secret the broker accepts"
                    + " (SecurityOptions federationKey, or ws://NAME:SECRET@host:port/federate with Bus.connect)"));
            c.closed.complete(null);
            return c.ready;
        }
        long readIdle = options.timeouts().heartbeatInterval().toMillis() * 2;
        try {
            new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(
                            Integer.MAX_VALUE, options.socket().connectTimeout().toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (c.federation != null) {
                                c.addWebSocket(ch);
                            }
                            ch.pipeline()
                                    .addLast("frames", c.decoder)
                                    .addLast("commands", CommandEncoder.INSTANCE)
                                    .addLast("idle", new IdleStateHandler(readIdle, 0, 0, TimeUnit.MILLISECONDS))
                                    .addLast("connection", c);
                        }
                    })
                    .connect(target.host(), target.port())
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            c.ready.completeExceptionally(new FerryException(
                                    "cannot connect to nsqd at " + address + ": "
                                            + dev.ferry.support.NetworkErrors.reason(f.cause())
                                            + " (is the broker running, and is this its TCP address?)",
                                    f.cause()));
                            c.closed.complete(null);
                        }
                    });
        } catch (RejectedExecutionException e) {
            c.ready.completeExceptionally(new FerryException("the client is closed", e));
        }
        return c.ready;
    }

    /** The WebSocket and the federation challenge under the V2 codec, for a federation address. */
    private void addWebSocket(Channel ch) {
        int maxFrame = Math.max(
                        options.publishing().maxMessageSize(),
                        options.publishing().maxBodySize())
                + 1024;
        long pingMillis = Math.max(1, options.timeouts().heartbeatInterval().toMillis() / 2);
        FederationDialer.addTo(
                ch,
                federation,
                federation.secure() ? webSocketTls() : null,
                options.security().federationKey().orElseThrow(),
                maxFrame,
                pingMillis,
                options.timeouts().responseTimeout().toMillis());
    }

    /** The TLS of a {@code wss://} link: the options' context, else the JVM's default trust. */
    private SslContext webSocketTls() {
        try {
            javax.net.ssl.SSLContext context = options.security().tls().isPresent()
                    ? options.security().tls().get()
                    : javax.net.ssl.SSLContext.getDefault();
            return new JdkSslContext(
                    context, true, null, IdentityCipherSuiteFilter.INSTANCE, null, ClientAuth.NONE, null, false);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new FerryException("this JVM has no default TLS context for " + address, e);
        }
    }

    /** The {@code host:port} this connection goes to. */
    String address() {
        return address;
    }

    /** The broker's max RDY count, from its IDENTIFY answer. */
    int maxRdyCount() {
        return maxRdyCount;
    }

    /** The message timeout in force on this connection, in milliseconds. */
    long msgTimeoutMillis() {
        return msgTimeout;
    }

    /** Whether the socket is open. */
    boolean isOpen() {
        return phase != Phase.CLOSED && closeCause == null;
    }

    /** Completes when the socket has closed. */
    CompletableFuture<Void> closedFuture() {
        return closed;
    }

    /** Sends a command nsqd answers; the future completes with the answer's data or fails with why. */
    CompletableFuture<byte[]> request(ClientCommand command) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        enqueue(new Outgoing(command, answer));
        return answer;
    }

    /** Sends a command nsqd does not answer (FIN, REQ, TOUCH, RDY). */
    void send(ClientCommand command) {
        enqueue(new Outgoing(command, null));
    }

    /**
     * Writes what the outbox holds, then closes the socket; the future completes once it is closed.
     * Callable from any thread.
     */
    CompletableFuture<Void> flushAndClose() {
        Channel ch = channel;
        if (ch == null) {
            return closed;
        }
        try {
            ch.eventLoop().execute(() -> {
                drain();
                if (ctx != null) {
                    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }
            });
        } catch (RejectedExecutionException e) {
            ch.close();
        }
        return closed;
    }

    /** Closes the socket at once. */
    void close() {
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    private void enqueue(Outgoing out) {
        Channel ch = channel;
        if (ch == null || !isOpen()) {
            fail(out, new FerryException("connection to nsqd at " + address + " is closed", closeCause));
            return;
        }
        outbox.add(out);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                boolean publish =
                        out.command() instanceof ClientCommand.Pub || out.command() instanceof ClientCommand.Mpub;
                long linger = options.publishing().linger().toNanos();
                if (publish && linger > 0) {
                    ch.eventLoop().schedule(this::drain, linger, TimeUnit.NANOSECONDS);
                } else {
                    ch.eventLoop().execute(this::drain);
                }
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false);
                failOutbox(new FerryException("the client is closed", e));
            }
        }
    }

    private void drain() {
        drainScheduled.set(false);
        if (phase == Phase.CLOSED || ctx == null) {
            failOutbox(cause());
            return;
        }
        boolean wrote = false;
        Outgoing out;
        while ((out = outbox.poll()) != null) {
            out = batcher.combine(out, outbox);
            if (out.answer() != null) {
                boolean publish = out.command() instanceof ClientCommand.Pub
                        || out.command() instanceof ClientCommand.Mpub
                        || out.command() instanceof ClientCommand.Dpub;
                pending.add(new Pending(out.answer(), System.nanoTime(), publish));
            }
            ctx.write(out.command(), ctx.voidPromise());
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    // ---- the handshake ---------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        long period =
                Math.max(50, Math.min(1000, options.timeouts().responseTimeout().toMillis() / 4));
        timeoutCheck = ctx.executor().scheduleAtFixedRate(this::checkTimeouts, period, period, TimeUnit.MILLISECONDS);
        ctx.write(Unpooled.wrappedBuffer(MAGIC), ctx.voidPromise());
        ctx.writeAndFlush(new ClientCommand.Identify(identifyBody()), ctx.voidPromise());
        super.channelActive(ctx);
    }

    private byte[] identifyBody() throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("client_id", options.identity().clientId());
        body.put("hostname", options.identity().hostname());
        body.put("user_agent", options.identity().userAgent());
        body.put("feature_negotiation", true);
        body.put("heartbeat_interval", options.timeouts().heartbeatInterval().toMillis());
        // inside a WebSocket the bytes cannot be upgraded in place: wss:// is the TLS, and no compression
        boolean inPlace = federation == null;
        body.put("tls_v1", inPlace && options.security().tls().isPresent());
        body.put("snappy", inPlace && options.compression().algorithm() == CompressionOptions.Algorithm.SNAPPY);
        body.put("deflate", inPlace && options.compression().algorithm() == CompressionOptions.Algorithm.DEFLATE);
        body.put("deflate_level", options.compression().deflateLevel());
        if (msgTimeoutMillis > 0) {
            body.put("msg_timeout", msgTimeoutMillis);
        }
        return JSON.writeValueAsBytes(body);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        if (frame instanceof Frame.Response r && r.data().length == HEARTBEAT.length() && isHeartbeat(r.data())) {
            ctx.writeAndFlush(ClientCommand.NOP, ctx.voidPromise());
            return;
        }
        if (phase == Phase.READY) {
            ready(frame);
        } else {
            handshake(frame);
        }
    }

    private static boolean isHeartbeat(byte[] data) {
        return HEARTBEAT.equals(new String(data, StandardCharsets.US_ASCII));
    }

    private void handshake(Frame frame) {
        if (frame instanceof Frame.Error e) {
            failHandshake(new BrokerErrorException(address, e.code(), e.text()));
            return;
        }
        if (!(frame instanceof Frame.Response r)) {
            failHandshake(new FerryException("nsqd at " + address + " sent a message during the handshake"));
            return;
        }
        try {
            switch (phase) {
                case IDENTIFY -> identified(r.data());
                case TLS -> afterUpgrade(Phase.TLS);
                case SNAPPY -> afterUpgrade(Phase.SNAPPY);
                case DEFLATE -> afterUpgrade(Phase.DEFLATE);
                case AUTH -> {
                    log.debug("nsqd at {}: AUTH answered {}", address, new String(r.data(), StandardCharsets.UTF_8));
                    becomeReady();
                }
                default -> failHandshake(new FerryException("nsqd at " + address + " answered out of turn"));
            }
        } catch (IOException | RuntimeException e) {
            failHandshake(
                    e instanceof FerryException
                            ? e
                            : new FerryException("handshake with nsqd at " + address + " failed: " + e, e));
        }
    }

    private void identified(byte[] data) throws IOException {
        String text = new String(data, StandardCharsets.UTF_8);
        negotiated = text.equals("OK") ? JSON.createObjectNode() : JSON.readTree(data);
        maxRdyCount = negotiated.path("max_rdy_count").asInt(2500);
        msgTimeout = negotiated.path("msg_timeout").asLong(msgTimeout);
        if (federation == null
                && options.security().tls().isPresent()
                && !negotiated.path("tls_v1").asBoolean(false)) {
            throw new FerryException("nsqd at " + address + " does not offer TLS (tls_v1 false in its IDENTIFY answer),"
                    + " but TLS was asked for");
        }
        afterUpgrade(Phase.IDENTIFY);
    }

    /** After the answer to IDENTIFY or to an upgrade: install the next upgrade, or go on to AUTH. */
    private void afterUpgrade(Phase done) {
        if (done.ordinal() < Phase.TLS.ordinal() && negotiated.path("tls_v1").asBoolean(false)) {
            phase = Phase.TLS;
            SslContext tls = new JdkSslContext(
                    options.security().tls().orElseThrow(),
                    true,
                    null,
                    IdentityCipherSuiteFilter.INSTANCE,
                    null,
                    ClientAuth.NONE,
                    null,
                    false);
            HostPort target = HostPort.parse(address);
            decoder.upgradeAfterThisFrame(
                    () -> ctx.pipeline().addFirst("tls", tls.newHandler(ctx.alloc(), target.host(), target.port())),
                    true);
            return;
        }
        if (done.ordinal() < Phase.SNAPPY.ordinal() && negotiated.path("snappy").asBoolean(false)) {
            phase = Phase.SNAPPY;
            decoder.upgradeAfterThisFrame(
                    () -> {
                        addUnderTls("snappy-encoder", new SnappyFrameEncoder());
                        addUnderTls("snappy-decoder", new SnappyFrameDecoder(true));
                    },
                    false);
            return;
        }
        if (done.ordinal() < Phase.DEFLATE.ordinal()
                && negotiated.path("deflate").asBoolean(false)) {
            phase = Phase.DEFLATE;
            int level =
                    negotiated.path("deflate_level").asInt(options.compression().deflateLevel());
            int maxFrame = Math.max(
                            options.publishing().maxMessageSize(),
                            options.publishing().maxBodySize())
                    + 1024;
            decoder.upgradeAfterThisFrame(
                    () -> {
                        addUnderTls("deflate-encoder", new JdkZlibEncoder(ZlibWrapper.NONE, level));
                        addUnderTls("deflate-decoder", new JdkZlibDecoder(ZlibWrapper.NONE, maxFrame));
                    },
                    false);
            return;
        }
        if (negotiated.path("auth_required").asBoolean(false)) {
            String secret = options.security()
                    .authSecret()
                    .orElseThrow(
                            () -> new FerryException(
                                    "nsqd at " + address
                                            + " requires AUTH and no secret is set (ConnectOptions security: SecurityOptions authSecret)"));
            phase = Phase.AUTH;
            ctx.writeAndFlush(new ClientCommand.Auth(secret.getBytes(StandardCharsets.UTF_8)), ctx.voidPromise());
            return;
        }
        if (options.security().authSecret().isPresent()) {
            log.info("nsqd at {} does not require AUTH; the secret is not sent", address);
        }
        becomeReady();
    }

    /** Adds a compression handler right after TLS when present, else at the head. */
    private void addUnderTls(String name, ChannelHandler handler) {
        if (ctx.pipeline().get("tls") != null) {
            ctx.pipeline().addAfter("tls", name, handler);
        } else {
            ctx.pipeline().addFirst(name, handler);
        }
    }

    private void becomeReady() {
        phase = Phase.READY;
        log.debug("connected to nsqd at {} ({})", address, negotiated);
        ready.complete(this);
    }

    private void failHandshake(Throwable cause) {
        closeCause = cause;
        ready.completeExceptionally(cause);
        ctx.close();
    }

    // ---- after the handshake ---------------------------------------------------------------------

    private void ready(Frame frame) {
        switch (frame) {
            case Frame.Message m -> listener.onMessage(this, m);
            case Frame.Response r -> {
                Pending p = pending.poll();
                if (p == null) {
                    log.warn(
                            "nsqd at {} sent an unexpected answer: {}",
                            address,
                            new String(r.data(), StandardCharsets.UTF_8));
                } else {
                    p.answer().complete(r.data());
                }
            }
            case Frame.Error e -> {
                switch (e.code()) {
                    case "E_FIN_FAILED", "E_REQ_FAILED", "E_TOUCH_FAILED" ->
                        log.debug("nsqd at {}: {}", address, e.text());
                    default -> {
                        // every other error is fatal: nsqd closes the connection after it
                        Pending p = pending.poll();
                        FerryException error = new BrokerErrorException(address, e.code(), e.text());
                        // marked closed before the caller hears of it, so its next publish makes a
                        // new connection instead of going to this one
                        closeCause = error;
                        if (p != null) {
                            p.answer()
                                    .completeExceptionally(
                                            p.publish()
                                                    ? new PublishRejectedException(
                                                            "nsqd at " + address + " refused the publish: " + e.text(),
                                                            error)
                                                    : error);
                        }
                        log.warn("nsqd at {} answered {}; it closes the connection", address, e.text());
                    }
                }
            }
        }
    }

    private void checkTimeouts() {
        long now = System.nanoTime();
        long limit = options.timeouts().responseTimeout().toNanos();
        if (phase != Phase.READY
                && phase != Phase.CLOSED
                && now - startNanos > limit + options.socket().connectTimeout().toNanos()) {
            failHandshake(new FerryException("nsqd at " + address + " did not finish the handshake in "
                    + options.timeouts().responseTimeout().toMillis() + " ms (phase " + phase + ")"));
            return;
        }
        Pending head = pending.peek();
        if (head != null && now - head.sentNanos() > limit) {
            closeCause = new FerryException("nsqd at " + address + " did not answer in "
                    + options.timeouts().responseTimeout().toMillis() + " ms; closing the connection");
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            closeCause = new FerryException("nsqd at " + address + " sent nothing, not even a heartbeat, for "
                    + options.timeouts().heartbeatInterval().toMillis() * 2 + " ms; closing the connection");
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeCause == null) {
            // a FerryException already says what went wrong in plain words (a federation refusal)
            closeCause = cause instanceof FerryException f
                    ? f
                    : new FerryException("connection to nsqd at " + address + " failed: " + cause, cause);
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        boolean wasReady = phase == Phase.READY;
        phase = Phase.CLOSED;
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
        }
        Throwable cause = cause();
        ready.completeExceptionally(cause);
        FerryException lost = new FerryException(
                "connection to nsqd at " + address + " closed before the broker answered; a publish may or may"
                        + " not have been stored",
                cause);
        for (Pending p; (p = pending.poll()) != null; ) {
            p.answer().completeExceptionally(lost);
        }
        failOutbox(lost);
        closed.complete(null);
        if (wasReady) {
            listener.onClosed(this, cause);
        }
        super.channelInactive(ctx);
    }

    private Throwable cause() {
        return closeCause != null ? closeCause : new FerryException("connection to nsqd at " + address + " closed");
    }

    private void failOutbox(Throwable cause) {
        for (Outgoing out; (out = outbox.poll()) != null; ) {
            fail(out, cause);
        }
    }

    private static void fail(Outgoing out, Throwable cause) {
        if (out.answer() != null) {
            out.answer().completeExceptionally(cause);
        }
    }

    @Override
    public String toString() {
        return "ClientConnection[" + address + ", " + phase + "]";
    }
}
