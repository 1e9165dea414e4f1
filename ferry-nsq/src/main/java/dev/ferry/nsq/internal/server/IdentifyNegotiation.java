package dev.ferry.nsq.internal.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.CommandDecoder;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.nsq.internal.codec.Inbound;
import dev.ferry.nsq.internal.protocol.NsqError;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.compression.JdkZlibDecoder;
import io.netty.handler.codec.compression.JdkZlibEncoder;
import io.netty.handler.codec.compression.SnappyFrameDecoder;
import io.netty.handler.codec.compression.SnappyFrameEncoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IDENTIFY: checks the client's settings with nsqd's ranges and texts, keeps what was negotiated
 * (heartbeat interval, message timeout, sample rate, output buffer size), answers with the features
 * (as JSON under feature negotiation, else OK) and upgrades the connection: TLS, then snappy or
 * deflate, each confirmed by an OK sent through it. Bytes the client sent after an upgrading
 * IDENTIFY, before it could read the answer, are dropped: they cannot be in the new encoding.
 *
 * <p>Threading: used on the connection's event loop only.
 */
final class IdentifyNegotiation {
    /**
     * Decodes as Go's encoding/json does into nsqd's struct: a number must be a whole number in the
     * field's range, written as one (no {@code 1e3}, no {@code 1.5}, no quotes), else the body is
     * refused as undecodable.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private final V2Connection connection;
    private final ServerOptions options;
    private final SslContext tls;
    private final boolean authRequired;
    private final boolean compressionOffered;
    private final Heartbeats heartbeats;
    private long msgTimeoutMillis;
    private int sampleRate;
    /** Message bytes written before a flush even while more are coming (output_buffer_size). */
    private int outputBufferSize;

    /**
     * The server's settings until the client identifies; {@code tls} null when TLS is not offered,
     * {@code authRequired} when the client must AUTH; {@code compressionOffered} false where the bytes
     * cannot be re-encoded in place (inside WebSocket frames).
     */
    IdentifyNegotiation(
            V2Connection connection,
            ServerOptions options,
            SslContext tls,
            boolean authRequired,
            boolean compressionOffered,
            Heartbeats heartbeats) {
        this.connection = connection;
        this.options = options;
        this.tls = tls;
        this.authRequired = authRequired;
        this.compressionOffered = compressionOffered;
        this.heartbeats = heartbeats;
        this.msgTimeoutMillis = options.msgTimeout().toMillis();
        this.outputBufferSize = options.outputBufferSize();
    }

    /** How long a message stays in flight before it times out, in milliseconds. */
    long msgTimeoutMillis() {
        return msgTimeoutMillis;
    }

    /** The percentage of messages delivered; 0 for all of them. */
    int sampleRate() {
        return sampleRate;
    }

    /** Message bytes written before a flush while more are coming. */
    int outputBufferSize() {
        return outputBufferSize;
    }

    /** Handles IDENTIFY (the connection checked its state); a fatal {@link NsqError} when refused. */
    void identify(Inbound.Command c) {
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
        if (data == null) {
            // the JSON null: Go leaves every field at its zero value, as for {}
            data = new IdentifyData(null, null, null, false, 0, 0, 0, false, false, 0, false, 0, 0);
        }
        apply(data);
        record(data);
        if (!data.featureNegotiation()) {
            connection.respond(Frame.OK);
            return;
        }
        ChannelHandlerContext ctx = connection.ctx();
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("max_rdy_count", options.maxRdyCount());
        response.put("version", options.version());
        response.put("max_msg_timeout", options.maxMsgTimeout().toMillis());
        response.put("msg_timeout", msgTimeoutMillis);
        // as nsqd: a feature is negotiated when the server offers it and the client asks for it; asking
        // for a disabled one is not an error, the answer just says false
        boolean snappy = compressionOffered && options.snappyEnabled() && data.snappy();
        boolean deflate = compressionOffered && options.deflateEnabled() && data.deflate();
        if (deflate && snappy) {
            throw NsqError.fatal("E_IDENTIFY_FAILED", "cannot enable both deflate and snappy compression");
        }
        int deflateLevel =
                (int) Math.min(deflate && data.deflateLevel() > 0 ? data.deflateLevel() : 6, options.maxDeflateLevel());
        // a connection upgrades once: a second IDENTIFY asking for TLS is told it is not offered
        boolean tlsV1 = tls != null && data.tlsV1() && ctx.pipeline().get("tls") == null;
        response.put("tls_v1", tlsV1);
        response.put("deflate", deflate);
        response.put("deflate_level", deflateLevel);
        response.put("max_deflate_level", options.maxDeflateLevel());
        response.put("snappy", snappy);
        response.put("sample_rate", sampleRate);
        response.put("auth_required", authRequired);
        response.put("output_buffer_size", outputBufferSize(data));
        response.put("output_buffer_timeout", outputBufferTimeout(data));
        try {
            connection.respond(new Frame.Response(JSON.writeValueAsBytes(response)));
        } catch (JsonProcessingException e) {
            throw NsqError.fatal("E_IDENTIFY_FAILED", "IDENTIFY failed " + e.getMessage());
        }
        // as nsqd: the answer goes out plain, then each upgrade (TLS, then snappy or deflate) is
        // confirmed by an OK sent through it
        if (tlsV1 || snappy || deflate) {
            connection.discardWaiting();
            CommandDecoder decoder = ctx.pipeline().get(CommandDecoder.class);
            if (decoder != null) {
                decoder.discardBuffered();
            }
        }
        ClientActivity activity = connection.activity();
        if (tlsV1) {
            SslHandler handler = tls.newHandler(ctx.alloc());
            ctx.pipeline().addFirst("tls", handler);
            handler.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    activity.tls = true;
                    activity.tlsVersion =
                            TlsPeer.version(handler.engine().getSession().getProtocol());
                    activity.tlsCipherSuite = handler.engine().getSession().getCipherSuite();
                }
            });
            connection.respond(Frame.OK);
        }
        activity.snappy = snappy;
        activity.deflate = deflate;
        if (snappy) {
            addUnderTls(ctx, "snappy-decoder", new SnappyFrameDecoder(true));
            addUnderTls(ctx, "snappy-encoder", new SnappyFrameEncoder());
            connection.respond(Frame.OK);
        }
        if (deflate) {
            addUnderTls(ctx, "deflate-decoder", new JdkZlibDecoder(ZlibWrapper.NONE, options.maxBodySize() + 1024));
            addUnderTls(ctx, "deflate-encoder", new JdkZlibEncoder(ZlibWrapper.NONE, deflateLevel));
            connection.respond(Frame.OK);
        }
    }

    /** Adds a compression handler between TLS (when there) and the protocol codec. */
    private static void addUnderTls(ChannelHandlerContext ctx, String name, ChannelHandler handler) {
        if (ctx.pipeline().get("tls") != null) {
            ctx.pipeline().addAfter("tls", name, handler);
        } else {
            ctx.pipeline().addFirst(name, handler);
        }
    }

    /** Checks and applies the client's settings with nsqd's ranges and texts. */
    private void apply(IdentifyData d) {
        long hb = d.heartbeatInterval();
        long maxHb = options.maxHeartbeatInterval().toMillis();
        if (!(hb == -1 || hb == 0 || (hb >= 1000 && hb <= maxHb))) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY heartbeat interval (" + hb + ") is invalid");
        }
        long obt = d.outputBufferTimeout();
        if (!(obt == -1
                || obt == 0
                || (obt >= options.minOutputBufferTimeout().toMillis()
                        && obt <= options.maxOutputBufferTimeout().toMillis()))) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY output buffer timeout (" + obt + ") is invalid");
        }
        long obs = d.outputBufferSize();
        if (!(obs == -1 || obs == 0 || (obs >= 64 && obs <= options.maxOutputBufferSize()))) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY output buffer size (" + obs + ") is invalid");
        }
        if (d.sampleRate() < 0 || d.sampleRate() > 99) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY sample rate (" + d.sampleRate() + ") is invalid");
        }
        long mt = d.msgTimeout();
        if (!(mt == 0 || (mt >= 1000 && mt <= options.maxMsgTimeout().toMillis()))) {
            throw NsqError.fatal("E_BAD_BODY", "IDENTIFY msg timeout (" + mt + ") is invalid");
        }
        // -1 disables heartbeats, 0 keeps the server's interval
        heartbeats.every(hb == -1 ? 0 : hb > 0 ? hb : heartbeats.intervalMillis());
        sampleRate = d.sampleRate();
        outputBufferSize = outputBufferSize(d);
        if (mt > 0) {
            msgTimeoutMillis = mt;
        }
    }

    private void record(IdentifyData d) {
        ClientActivity activity = connection.activity();
        if (activity == null) {
            return;
        }
        activity.clientId = d.clientId() == null ? "" : d.clientId();
        activity.hostname = d.hostname() == null ? "" : d.hostname();
        activity.userAgent = d.userAgent() == null ? "" : d.userAgent();
        activity.sampleRate = sampleRate;
    }

    /** The output buffer size asked for; called after {@link #apply} checked its range. */
    private int outputBufferSize(IdentifyData d) {
        long asked = d.outputBufferSize();
        if (asked == -1) {
            return 1;
        }
        return asked == 0 ? options.outputBufferSize() : (int) asked;
    }

    private long outputBufferTimeout(IdentifyData d) {
        if (d.outputBufferSize() == -1 || d.outputBufferTimeout() == -1) {
            return 0;
        }
        return d.outputBufferTimeout() == 0 ? options.outputBufferTimeout().toMillis() : d.outputBufferTimeout();
    }
}
