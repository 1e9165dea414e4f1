package dev.ferry.nsq.internal.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Names;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.CommandDecoder;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.nsq.internal.codec.Inbound;
import dev.ferry.nsq.internal.protocol.GoQuote;
import dev.ferry.nsq.internal.protocol.MpubBody;
import dev.ferry.nsq.internal.protocol.NsqError;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import dev.ferry.spi.MessageIds;
import dev.ferry.spi.PublishRecord;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.compression.JdkZlibDecoder;
import io.netty.handler.codec.compression.JdkZlibEncoder;
import io.netty.handler.codec.compression.SnappyFrameDecoder;
import io.netty.handler.codec.compression.SnappyFrameEncoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection speaking NSQ's TCP protocol V2, over an engine: IDENTIFY, SUB, PUB, MPUB,
 * DPUB, RDY, FIN, REQ, TOUCH, CLS and NOP with nsqd's states, error codes and texts, heartbeats and
 * the read deadline of twice the heartbeat interval.
 *
 * <p>With TLS required, nothing but IDENTIFY is accepted until the client has upgraded to TLS, as
 * nsqd. Bytes a client sent after an IDENTIFY that upgrades the connection, before it could read the
 * answer, are dropped: they cannot be in the new encoding.
 *
 * <p>Flow control as nsqd: RDY is a cap on the messages in flight to this client, not a credit.
 * Commands are handled one at a time and in order: while a publish waits for the engine's
 * durability promise, or a FIN, REQ or TOUCH for the engine's answer, later commands wait too, so
 * responses (OK, E_FIN_FAILED and the other answers) keep the order of the commands. An engine
 * whose stages are complete at once (the embedded one) never makes a command wait.
 *
 * <p>Threading: everything runs on the connection's event loop, which never waits for the engine:
 * what an engine stage brings (claimed messages, an answer) is handed back to the event loop when
 * the stage completes. The engine's availability signal and its expiry notices come from other
 * threads and are handed to the event loop too. A message whose lease expired frees its RDY slot
 * when the engine says so; the connection has no timers of its own for that.
 */
final class V2Connection extends SimpleChannelInboundHandler<Inbound> implements Engine.ConsumerListener {
    private static final Logger log = LoggerFactory.getLogger(V2Connection.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * About how many message bytes one claim takes before writability is checked again: claimed
     * messages are written even when the connection turns unwritable, so this bounds the overshoot.
     */
    private static final int CLAIM_BYTES = 256 * 1024;

    private enum State {
        INIT,
        SUBSCRIBED,
        CLOSING
    }

    /** A message in flight to this client. */
    private record InFlight(Lease lease, long deliveredAt) {}

    private final Engine engine;
    private final ServerOptions options;
    private final SslContext tls;
    private final boolean tlsRequired;
    private final AuthClient auth;
    private final ClientRegistry clients;
    private ClientActivity activity;
    private AuthClient.State authState;
    private String authSecret;
    private ChannelHandlerContext ctx;
    private State state = State.INIT;
    private long heartbeatMillis;
    private long msgTimeoutMillis;
    private int sampleRate;
    /** Message bytes written before a flush even while more are coming (output_buffer_size). */
    private int outputBufferSize;
    /** The body size of the last message written, to size the next claim. */
    private int lastBodySize = 64;

    private String topic;
    private String channel;
    private Engine.Consumer consumer;
    private long ready;
    private final Map<Long, InFlight> inFlight = new LinkedHashMap<>();
    private final ArrayDeque<Inbound> waiting = new ArrayDeque<>();
    private boolean busy;
    private boolean closed;
    private boolean pumpScheduled;
    /** A claim is out at the engine: no other starts until its messages are written. */
    private boolean claiming;

    /** The engine signalled (or a slot freed) while a claim was out: claim again once it is back. */
    private boolean signalledWhileClaiming;
    /** FIN or REQ freed slots during this read: refill once, when the read is done. */
    private boolean pumpAfterRead;

    private long lastReadNanos;
    private ScheduledFuture<?> heartbeat;

    V2Connection(
            Engine engine,
            ServerOptions options,
            SslContext tls,
            boolean tlsRequired,
            AuthClient auth,
            ClientRegistry clients) {
        this.engine = engine;
        this.options = options;
        this.tls = tls;
        this.tlsRequired = tlsRequired;
        this.auth = auth;
        this.clients = clients;
        this.heartbeatMillis = options.heartbeatInterval().toMillis();
        this.msgTimeoutMillis = options.msgTimeout().toMillis();
        this.outputBufferSize = options.outputBufferSize();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.lastReadNanos = now();
        activity = new ClientActivity(
                hostPort(ctx.channel().remoteAddress()), options.clock().millis() / 1000);
        clients.add(activity);
        scheduleHeartbeat();
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
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    // ---- inbound --------------------------------------------------------------------------------

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Inbound inbound) {
        lastReadNanos = now();
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
            case Inbound.Command command -> {
                try {
                    execute(command);
                } catch (NsqError e) {
                    fail(e);
                }
            }
        }
    }

    private void execute(Inbound.Command c) {
        if (tlsRequired && !c.name().equals("IDENTIFY") && !TlsPeer.established(ctx.pipeline())) {
            throw NsqError.fatal("E_INVALID", "cannot " + c.name() + " in current state (TLS required)");
        }
        switch (c.name()) {
            case "IDENTIFY" -> identify(c);
            case "SUB" -> sub(c);
            case "PUB" -> pub(c);
            case "MPUB" -> mpub(c);
            case "DPUB" -> dpub(c);
            case "RDY" -> rdy(c);
            case "FIN" -> fin(c);
            case "REQ" -> req(c);
            case "TOUCH" -> touch(c);
            case "CLS" -> cls();
            case "NOP" -> {}
            case "AUTH" -> authenticate(c);
            default -> throw NsqError.fatal("E_INVALID", "invalid command " + c.name());
        }
    }

    private void fail(NsqError e) {
        log.debug("client {}: {}", ctx.channel(), e.getMessage());
        if (e.isFatal()) {
            closed = true;
            ctx.writeAndFlush(e.frame()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(e.frame());
        }
    }

    private void respond(Frame frame) {
        ctx.writeAndFlush(frame);
    }

    private void close() {
        closed = true;
        ctx.close();
    }

    // ---- commands -------------------------------------------------------------------------------

    private void identify(Inbound.Command c) {
        if (state != State.INIT) {
            throw NsqError.fatal("E_INVALID", "cannot IDENTIFY in current state");
        }
        if (c.bodyRefused()) {
            if (c.bodySize() > options.maxBodySize()) {
                throw NsqError.fatal(
                        "E_BAD_BODY", "IDENTIFY body too big " + c.bodySize() + " > " + options.maxBodySize());
            }
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY invalid body size " + c.bodySize());
        }
        IdentifyData data;
        try {
            data = JSON.readValue(c.body(), IdentifyData.class);
        } catch (java.io.IOException e) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY failed to decode JSON body");
        }
        applyIdentify(data);
        recordIdentity(data);
        if (!data.featureNegotiation()) {
            respond(Frame.OK);
            return;
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("max_rdy_count", options.maxRdyCount());
        response.put("version", options.version());
        response.put("max_msg_timeout", options.maxMsgTimeout().toMillis());
        response.put("msg_timeout", msgTimeoutMillis);
        // as nsqd: a feature is negotiated when the server offers it and the client asks for it; asking
        // for a disabled one is not an error, the answer just says false
        boolean snappy = options.snappyEnabled() && data.snappy();
        boolean deflate = options.deflateEnabled() && data.deflate();
        if (deflate && snappy) {
            throw NsqError.fatal("E_IDENTIFY_FAILED", "cannot enable both deflate and snappy compression");
        }
        int deflateLevel =
                Math.min(deflate && data.deflateLevel() > 0 ? data.deflateLevel() : 6, options.maxDeflateLevel());
        // a connection upgrades once: a second IDENTIFY asking for TLS is told it is not offered
        boolean tlsV1 = tls != null && data.tlsV1() && ctx.pipeline().get("tls") == null;
        response.put("tls_v1", tlsV1);
        response.put("deflate", deflate);
        response.put("deflate_level", deflateLevel);
        response.put("max_deflate_level", options.maxDeflateLevel());
        response.put("snappy", snappy);
        response.put("sample_rate", sampleRate);
        response.put("auth_required", auth != null);
        response.put("output_buffer_size", outputBufferSize(data));
        response.put("output_buffer_timeout", outputBufferTimeout(data));
        try {
            respond(new Frame.Response(JSON.writeValueAsBytes(response)));
        } catch (JsonProcessingException e) {
            throw NsqError.fatal("E_IDENTIFY_FAILED", "IDENTIFY failed " + e.getMessage());
        }
        // as nsqd: the answer goes out plain, then each upgrade (TLS, then snappy or deflate) is
        // confirmed by an OK sent through it
        if (tlsV1 || snappy || deflate) {
            waiting.clear();
            CommandDecoder decoder = ctx.pipeline().get(CommandDecoder.class);
            if (decoder != null) {
                decoder.discardBuffered();
            }
        }
        if (tlsV1) {
            io.netty.handler.ssl.SslHandler handler = tls.newHandler(ctx.alloc());
            ctx.pipeline().addFirst("tls", handler);
            handler.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    activity.tls = true;
                    activity.tlsVersion =
                            TlsPeer.version(handler.engine().getSession().getProtocol());
                    activity.tlsCipherSuite = handler.engine().getSession().getCipherSuite();
                }
            });
            respond(Frame.OK);
        }
        activity.snappy = snappy;
        activity.deflate = deflate;
        if (snappy) {
            addUnderTls("snappy-decoder", new SnappyFrameDecoder(true));
            addUnderTls("snappy-encoder", new SnappyFrameEncoder());
            respond(Frame.OK);
        }
        if (deflate) {
            addUnderTls("deflate-decoder", new JdkZlibDecoder(ZlibWrapper.NONE, options.maxBodySize() + 1024));
            addUnderTls("deflate-encoder", new JdkZlibEncoder(ZlibWrapper.NONE, deflateLevel));
            respond(Frame.OK);
        }
    }

    /** Adds a compression handler between TLS (when there) and the protocol codec. */
    private void addUnderTls(String name, io.netty.channel.ChannelHandler handler) {
        if (ctx.pipeline().get("tls") != null) {
            ctx.pipeline().addAfter("tls", name, handler);
        } else {
            ctx.pipeline().addFirst(name, handler);
        }
    }

    /** Checks and applies the client's settings with nsqd's ranges and texts. */
    private void applyIdentify(IdentifyData d) {
        int hb = d.heartbeatInterval();
        long maxHb = options.maxHeartbeatInterval().toMillis();
        if (!(hb == -1 || hb == 0 || (hb >= 1000 && hb <= maxHb))) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY heartbeat interval (" + hb + ") is invalid");
        }
        int obt = d.outputBufferTimeout();
        if (!(obt == -1
                || obt == 0
                || (obt >= options.minOutputBufferTimeout().toMillis()
                        && obt <= options.maxOutputBufferTimeout().toMillis()))) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY output buffer timeout (" + obt + ") is invalid");
        }
        int obs = d.outputBufferSize();
        if (!(obs == -1 || obs == 0 || (obs >= 64 && obs <= options.maxOutputBufferSize()))) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY output buffer size (" + obs + ") is invalid");
        }
        if (d.sampleRate() < 0 || d.sampleRate() > 99) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY sample rate (" + d.sampleRate() + ") is invalid");
        }
        int mt = d.msgTimeout();
        if (!(mt == 0 || (mt >= 1000 && mt <= options.maxMsgTimeout().toMillis()))) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY msg timeout (" + mt + ") is invalid");
        }
        if (hb == -1) {
            heartbeatMillis = 0;
        } else if (hb > 0) {
            heartbeatMillis = hb;
        }
        scheduleHeartbeat();
        sampleRate = d.sampleRate();
        outputBufferSize = outputBufferSize(d);
        if (mt > 0) {
            msgTimeoutMillis = mt;
        }
    }

    private void recordIdentity(IdentifyData d) {
        if (activity == null) {
            return;
        }
        activity.clientId = d.clientId() == null ? "" : d.clientId();
        activity.hostname = d.hostname() == null ? "" : d.hostname();
        activity.userAgent = d.userAgent() == null ? "" : d.userAgent();
        activity.sampleRate = sampleRate;
    }

    private int outputBufferSize(IdentifyData d) {
        return switch (d.outputBufferSize()) {
            case -1 -> 1;
            case 0 -> options.outputBufferSize();
            default -> d.outputBufferSize();
        };
    }

    private long outputBufferTimeout(IdentifyData d) {
        if (d.outputBufferSize() == -1 || d.outputBufferTimeout() == -1) {
            return 0;
        }
        return d.outputBufferTimeout() == 0 ? options.outputBufferTimeout().toMillis() : d.outputBufferTimeout();
    }

    private void sub(Inbound.Command c) {
        if (state != State.INIT) {
            throw NsqError.fatal("E_INVALID", "cannot SUB in current state");
        }
        if (heartbeatMillis <= 0) {
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
        authorized("SUB", t, ch, () -> {
            try {
                consumer = engine.register(t, ch, this);
            } catch (RuntimeException e) {
                throw NsqError.fatal("E_SUB_FAILED", "SUB failed " + e.getMessage());
            }
            topic = t;
            channel = ch;
            state = State.SUBSCRIBED;
            activity.topic = t;
            activity.channel = ch;
            activity.state = ClientActivity.STATE_SUBSCRIBED;
            respond(Frame.OK);
        });
    }

    private String publishTopic(Inbound.Command c, String cmd, int params, boolean doubledCode) {
        if (c.params().size() < params) {
            throw NsqError.fatal("E_INVALID", cmd + " insufficient number of parameters");
        }
        String t = c.params().get(0);
        if (!Names.isValid(t)) {
            String prefix = doubledCode ? "E_BAD_TOPIC " : "";
            throw NsqError.fatal("E_BAD_TOPIC", prefix + cmd + " topic name " + GoQuote.quote(t) + " is not valid");
        }
        return t;
    }

    private void checkMessageBody(Inbound.Command c, String cmd) {
        if (c.bodyRefused()) {
            if (c.bodySize() <= 0) {
                throw NsqError.fatal("E_BAD_MESSAGE", cmd + " invalid message body size " + c.bodySize());
            }
            throw NsqError.fatal(
                    "E_BAD_MESSAGE", cmd + " message too big " + c.bodySize() + " > " + options.maxMsgSize());
        }
    }

    private void pub(Inbound.Command c) {
        String t = publishTopic(c, "PUB", 1, false);
        checkMessageBody(c, "PUB");
        authorized("PUB", t, "", () -> publish(t, List.of(PublishRecord.of(c.body())), "E_PUB_FAILED", "PUB"));
    }

    private void mpub(Inbound.Command c) {
        String t = publishTopic(c, "MPUB", 1, true);
        // as nsqd, MPUB checks the permission before the body
        authorized("MPUB", t, "", () -> {
            if (c.bodyRefused()) {
                if (c.bodySize() <= 0) {
                    throw NsqError.fatal("E_BAD_BODY", "MPUB invalid body size " + c.bodySize());
                }
                throw NsqError.fatal("E_BAD_BODY", "MPUB body too big " + c.bodySize() + " > " + options.maxBodySize());
            }
            List<byte[]> bodies = MpubBody.parse(c.body(), options.maxMsgSize(), options.maxBodySize());
            List<PublishRecord> batch = new ArrayList<>(bodies.size());
            bodies.forEach(b -> batch.add(PublishRecord.of(b)));
            publish(t, batch, "E_MPUB_FAILED", "MPUB");
        });
    }

    private void dpub(Inbound.Command c) {
        String t = publishTopic(c, "DPUB", 2, false);
        String raw = c.params().get(1);
        long ms = parseBase10(raw, "DPUB could not parse timeout " + raw);
        long max = options.maxReqTimeout().toMillis();
        if (ms < 0 || ms > max) {
            throw NsqError.fatal("E_INVALID", "DPUB timeout " + ms + " out of range 0-" + max);
        }
        checkMessageBody(c, "DPUB");
        authorized("DPUB", t, "", () -> publish(t, List.of(new PublishRecord(c.body(), ms)), "E_DPUB_FAILED", "DPUB"));
    }

    /** Appends, then answers OK once the engine's durability promise holds; later commands wait. */
    private void publish(String t, List<PublishRecord> batch, String failCode, String cmd) {
        CompletableFuture<Void> stored;
        try {
            stored = engine.append(t, batch);
        } catch (RuntimeException e) {
            throw NsqError.fatal(failCode, cmd + " failed " + e.getMessage());
        }
        if (stored.isDone() && !stored.isCompletedExceptionally()) {
            activity.published(t, batch.size());
            respond(Frame.OK);
            return;
        }
        busy = true;
        stored.whenComplete((v, error) -> ctx.executor().execute(() -> {
            busy = false;
            if (error == null) {
                activity.published(t, batch.size());
                respond(Frame.OK);
            } else {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                fail(NsqError.fatal(failCode, cmd + " failed " + cause.getMessage()));
            }
            drainWaiting();
        }));
    }

    // ---- authorization --------------------------------------------------------------------------

    /** AUTH: asks the auth service what the secret allows; later commands wait for the answer. */
    private void authenticate(Inbound.Command c) {
        if (state != State.INIT) {
            throw NsqError.fatal("E_INVALID", "cannot AUTH in current state");
        }
        if (!c.params().isEmpty()) {
            throw NsqError.fatal("E_INVALID", "AUTH invalid number of parameters");
        }
        if (c.bodyRefused()) {
            if (c.bodySize() > options.maxBodySize()) {
                throw NsqError.fatal("E_BAD_BODY", "AUTH body too big " + c.bodySize() + " > " + options.maxBodySize());
            }
            throw NsqError.fatal("E_BAD_BODY", "AUTH invalid body size " + c.bodySize());
        }
        if (authState != null) {
            throw NsqError.fatal("E_INVALID", "AUTH already set");
        }
        if (auth == null) {
            throw NsqError.fatal("E_AUTH_DISABLED", "AUTH disabled");
        }
        authSecret = new String(c.body(), java.nio.charset.StandardCharsets.UTF_8);
        queryAuth(s -> {
            if (s.grants().isEmpty()) {
                throw NsqError.fatal("E_UNAUTHORIZED", "AUTH no authorizations found");
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("identity", s.identity());
            answer.put("identity_url", s.identityUrl());
            answer.put("permission_count", s.grants().size());
            try {
                respond(new Frame.Response(JSON.writeValueAsBytes(answer)));
            } catch (JsonProcessingException e) {
                throw NsqError.fatal("E_AUTH_ERROR", "AUTH error " + e.getMessage());
            }
        });
    }

    /**
     * Runs {@code next} when the client may do {@code cmd} on the topic (and channel, for SUB), asking
     * the auth service again first when the answer's TTL ran out; nsqd's errors otherwise.
     */
    private void authorized(String cmd, String t, String ch, Runnable next) {
        if (auth == null) {
            next.run();
            return;
        }
        if (authState == null) {
            throw NsqError.fatal("E_AUTH_FIRST", "AUTH required before " + cmd);
        }
        java.util.function.Consumer<AuthClient.State> check = s -> {
            if (!s.allows(t, ch)) {
                throw NsqError.fatal(
                        "E_UNAUTHORIZED",
                        "AUTH failed for " + cmd + " on " + GoQuote.quote(t) + " " + GoQuote.quote(ch));
            }
            next.run();
        };
        if (!authState.expired(options.clock().millis())) {
            check.accept(authState);
        } else {
            queryAuth(check);
        }
    }

    /** Queries the auth service off the event loop; {@code then} runs on it with the new answer. */
    private void queryAuth(java.util.function.Consumer<AuthClient.State> then) {
        String remoteIp = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "";
        boolean overTls = TlsPeer.established(ctx.pipeline());
        busy = true;
        auth.query(remoteIp, overTls, TlsPeer.commonName(ctx.pipeline()), authSecret)
                .whenComplete((s, error) -> ctx.executor().execute(() -> {
                    busy = false;
                    try {
                        if (error != null) {
                            log.warn("client {}: AUTH failed {}", ctx.channel(), error.getMessage());
                            throw NsqError.fatal("E_AUTH_FAILED", "AUTH failed");
                        }
                        authState = s;
                        activity.authed = !s.grants().isEmpty();
                        activity.authIdentity = s.identity();
                        activity.authIdentityUrl = s.identityUrl();
                        then.accept(s);
                    } catch (NsqError e) {
                        fail(e);
                    }
                    drainWaiting();
                }));
    }

    private void drainWaiting() {
        while (!busy && !closed && !waiting.isEmpty()) {
            handle(waiting.poll());
        }
    }

    private void rdy(Inbound.Command c) {
        if (state == State.CLOSING) {
            return;
        }
        if (state != State.SUBSCRIBED) {
            throw NsqError.fatal("E_INVALID", "cannot RDY in current state");
        }
        long count = 1;
        if (!c.params().isEmpty()) {
            String raw = c.params().get(0);
            count = parseBase10(raw, "RDY could not parse count " + raw);
        }
        if (count < 0 || count > options.maxRdyCount()) {
            throw NsqError.fatal("E_INVALID", "RDY count " + count + " out of range 0-" + options.maxRdyCount());
        }
        ready = count;
        activity.readyCount = count;
        pump();
    }

    private static long parseBase10(String raw, String error) {
        if (raw.isEmpty()) {
            throw NsqError.fatal("E_INVALID", error);
        }
        long value = 0;
        for (int i = 0; i < raw.length(); i++) {
            char ch = raw.charAt(i);
            if (ch < '0' || ch > '9' || value > Integer.MAX_VALUE) {
                throw NsqError.fatal("E_INVALID", error);
            }
            value = value * 10 + (ch - '0');
        }
        return value;
    }

    /** Checks the state and the parameters of FIN, REQ and TOUCH; returns the message id. */
    private long messageId(Inbound.Command c, String cmd, int params) {
        if (state != State.SUBSCRIBED && state != State.CLOSING) {
            throw NsqError.fatal("E_INVALID", "cannot " + cmd + " in current state");
        }
        if (c.params().size() < params) {
            throw NsqError.fatal("E_INVALID", cmd + " insufficient number of params");
        }
        try {
            return MessageIds.fromHex(c.params().get(0));
        } catch (IllegalArgumentException e) {
            throw NsqError.fatal("E_INVALID", "invalid message ID");
        }
    }

    /** The message in flight to this client with {@code id}; a non-fatal error otherwise. */
    private InFlight owned(long id, Inbound.Command c, String cmd, String failCode) {
        InFlight message = inFlight.get(id);
        if (message == null) {
            throw notInFlight(c, cmd, failCode);
        }
        return message;
    }

    private static NsqError notInFlight(Inbound.Command c, String cmd, String failCode) {
        return NsqError.nonFatal(failCode, cmd + " " + c.params().get(0) + " failed ID not in flight");
    }

    private void fin(Inbound.Command c) {
        InFlight m = owned(messageId(c, "FIN", 1), c, "FIN", "E_FIN_FAILED");
        inFlight.remove(m.lease().messageId());
        activity.inFlightCount = inFlight.size();
        answered(engine.ack(m.lease()), c, "FIN", "E_FIN_FAILED", () -> {
            activity.finishCount++;
            pumpAfterRead = true;
        });
    }

    private void req(Inbound.Command c) {
        long id = messageId(c, "REQ", 2);
        String raw = c.params().get(1);
        String error = "REQ could not parse timeout " + raw;
        long ms = raw.startsWith("-") ? -parseBase10(raw.substring(1), error) : parseBase10(raw, error);
        // nsqd clamps the delay rather than refusing it
        long delay = Math.max(0, Math.min(ms, options.maxReqTimeout().toMillis()));
        InFlight m = owned(id, c, "REQ", "E_REQ_FAILED");
        inFlight.remove(id);
        activity.inFlightCount = inFlight.size();
        answered(engine.nack(m.lease(), Duration.ofMillis(delay)), c, "REQ", "E_REQ_FAILED", () -> {
            activity.requeueCount++;
            pumpAfterRead = true;
        });
    }

    private void touch(Inbound.Command c) {
        long id = messageId(c, "TOUCH", 1);
        InFlight m = owned(id, c, "TOUCH", "E_TOUCH_FAILED");
        long now = options.clock().millis();
        // as nsqd: a touch never takes a message past its delivery time plus the max msg timeout
        long deadline = Math.min(
                now + msgTimeoutMillis,
                m.deliveredAt() + options.maxMsgTimeout().toMillis());
        CompletionStage<Boolean> extended = engine.extend(m.lease(), Duration.ofMillis(Math.max(1, deadline - now)));
        answered(extended, c, "TOUCH", "E_TOUCH_FAILED", null, () -> {
            if (inFlight.remove(id, m)) {
                activity.inFlightCount = inFlight.size();
            }
        });
    }

    private void answered(
            CompletionStage<Boolean> answer, Inbound.Command c, String cmd, String failCode, Runnable taken) {
        answered(answer, c, cmd, failCode, taken, null);
    }

    /**
     * Acts on the engine's answer to a FIN, REQ or TOUCH: {@code taken} when it took it, {@code
     * refused} and nsqd's non-fatal error when the lease was stale, a fatal error when the engine
     * failed. An answer that is not there yet makes later commands wait (see the class), so the
     * client gets its answers in the order of its commands; the event loop never waits for it.
     */
    private void answered(
            CompletionStage<Boolean> answer,
            Inbound.Command c,
            String cmd,
            String failCode,
            Runnable taken,
            Runnable refused) {
        CompletableFuture<Boolean> result = answer.toCompletableFuture();
        if (result.isDone()) {
            Throwable error = result.isCompletedExceptionally() ? result.exceptionNow() : null;
            onAnswer(error == null && result.resultNow(), error, c, cmd, failCode, taken, refused);
            return;
        }
        busy = true;
        result.whenComplete((ok, error) -> ctx.executor().execute(() -> {
            busy = false;
            if (!closed) {
                try {
                    onAnswer(error == null && ok, error, c, cmd, failCode, taken, refused);
                } catch (NsqError e) {
                    fail(e);
                }
                if (pumpAfterRead) {
                    pumpAfterRead = false;
                    pump();
                }
            }
            drainWaiting();
        }));
    }

    private static void onAnswer(
            boolean ok,
            Throwable error,
            Inbound.Command c,
            String cmd,
            String failCode,
            Runnable taken,
            Runnable refused) {
        if (error != null) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            throw NsqError.fatal(failCode, cmd + " failed " + cause.getMessage());
        }
        if (!ok) {
            if (refused != null) {
                refused.run();
            }
            throw notInFlight(c, cmd, failCode);
        }
        if (taken != null) {
            taken.run();
        }
    }

    private void cls() {
        if (state != State.SUBSCRIBED) {
            throw NsqError.fatal("E_INVALID", "cannot CLS in current state");
        }
        state = State.CLOSING;
        ready = 0;
        activity.state = ClientActivity.STATE_CLOSING;
        activity.readyCount = 0;
        respond(Frame.CLOSE_WAIT);
    }

    // ---- delivery -------------------------------------------------------------------------------

    /** The engine says messages may be claimable: pump on the event loop. */
    @Override
    public void available() {
        signal();
    }

    private void signal() {
        ctx.executor().execute(() -> {
            if (!pumpScheduled) {
                pumpScheduled = true;
                pump();
            }
        });
    }

    /** The engine says a lease of this connection expired: free its slot on the event loop. */
    @Override
    public void expired(Lease lease) {
        ctx.executor().execute(() -> {
            InFlight m = inFlight.get(lease.messageId());
            // the same message may be in flight again here, under a newer lease: keep that one
            if (m != null && m.lease().equals(lease)) {
                inFlight.remove(lease.messageId());
                activity.inFlightCount = inFlight.size();
                pump();
            }
        });
    }

    private void pump() {
        pumpScheduled = false;
        if (claiming) {
            // the claim out may have been made before what the engine now signals: claim again after it
            signalledWhileClaiming = true;
            return;
        }
        if (closed || state != State.SUBSCRIBED || !ctx.channel().isActive()) {
            return;
        }
        // a client that stops reading stops getting messages: nothing piles up in the broker
        while (ready > inFlight.size() && ctx.channel().isWritable()) {
            int wanted = (int) Math.min(ready - inFlight.size(), Math.max(1, CLAIM_BYTES / lastBodySize));
            CompletableFuture<List<Lease>> claimed =
                    consumer.claim(wanted, Duration.ofMillis(msgTimeoutMillis)).toCompletableFuture();
            if (!claimed.isDone()) {
                claiming = true;
                claimed.whenComplete((leases, error) -> ctx.executor().execute(() -> {
                    claiming = false;
                    boolean more = write(leases, error);
                    if (more || signalledWhileClaiming) {
                        signalledWhileClaiming = false;
                        pump();
                    }
                }));
                break;
            }
            if (!write(claimed.isCompletedExceptionally() ? null : claimed.resultNow(), exceptionOf(claimed))) {
                break;
            }
        }
        activity.inFlightCount = inFlight.size();
    }

    private static Throwable exceptionOf(CompletableFuture<?> done) {
        return done.isCompletedExceptionally() ? done.exceptionNow() : null;
    }

    /**
     * Writes claimed messages to the client; true when some were written and more may be claimed.
     * Messages claimed while the connection went away or began closing go back to the channel.
     */
    private boolean write(List<Lease> leases, Throwable error) {
        if (error != null) {
            log.error(
                    "client {}: claiming messages of {}/{} failed: {}",
                    ctx.channel(),
                    topic,
                    channel,
                    error.toString());
            return false;
        }
        if (leases.isEmpty()) {
            return false;
        }
        if (closed || state != State.SUBSCRIBED || !ctx.channel().isActive()) {
            for (Lease lease : leases) {
                engine.nack(lease, Duration.ZERO);
            }
            return false;
        }
        long now = options.clock().millis();
        boolean wrote = false;
        int buffered = 0;
        for (Lease lease : leases) {
            if (sampleRate > 0 && ThreadLocalRandom.current().nextInt(100) > sampleRate) {
                engine.ack(lease); // sampled out: dropped for this client, as nsqd
                continue;
            }
            inFlight.put(lease.messageId(), new InFlight(lease, now));
            activity.messageCount++;
            ctx.write(new Frame.Message(lease.timestamp(), lease.attempts(), lease.idHex(), lease.body()));
            wrote = true;
            lastBodySize = Math.max(64, lease.body().length);
            buffered += Frame.Message.HEADER_BYTES + lease.body().length;
            if (buffered >= outputBufferSize) {
                ctx.flush();
                buffered = 0;
                wrote = false;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        activity.inFlightCount = inFlight.size();
        return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (pumpAfterRead) {
            pumpAfterRead = false;
            pump();
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            pump();
        }
        super.channelWritabilityChanged(ctx);
    }

    // ---- heartbeats and the end -----------------------------------------------------------------

    private void scheduleHeartbeat() {
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
        if (heartbeatMillis > 0) {
            heartbeat = ctx.executor()
                    .scheduleAtFixedRate(this::beat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void beat() {
        if (closed) {
            return;
        }
        if (now() - lastReadNanos >= TimeUnit.MILLISECONDS.toNanos(2 * heartbeatMillis)) {
            log.info(
                    "client {}: nothing read for twice the heartbeat interval ({} ms); closing",
                    ctx.channel(),
                    2 * heartbeatMillis);
            close();
            return;
        }
        respond(Frame.HEARTBEAT);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        if (activity != null) {
            clients.remove(activity);
        }
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        // unlike nsqd, messages in flight to a client that went away are requeued at once
        for (InFlight m : inFlight.values()) {
            engine.nack(m.lease(), Duration.ZERO);
        }
        inFlight.clear();
        if (consumer != null) {
            consumer.close();
        }
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
}
