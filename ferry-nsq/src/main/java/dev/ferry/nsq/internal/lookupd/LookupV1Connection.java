package dev.ferry.nsq.internal.lookupd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Names;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's connection to the lookupd, speaking nsqlookupd's TCP protocol V1: the magic {@code "  V1"},
 * then text commands (PING, IDENTIFY with a size-prefixed JSON body, REGISTER and UNREGISTER of a topic
 * or a channel), each answered with a size-prefixed response ({@code OK}, IDENTIFY's JSON, or an error
 * such as {@code E_INVALID client must IDENTIFY}). Every error closes the connection, as nsqlookupd's
 * do; so does the connection's end remove the node from every registration.
 *
 * <p>Reads and answers on the connection's event loop; the registration database is shared with the
 * other connections and the HTTP API. Lines longer than 4 KiB and IDENTIFY bodies larger than the
 * options allow are refused, where nsqlookupd reads whatever comes.
 */
public final class LookupV1Connection extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(LookupV1Connection.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] MAGIC = "  V1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "OK".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LINE = 4096;

    private final LookupdState state;
    private boolean magicRead;
    private boolean closing;
    /** The IDENTIFY line read, its body not yet: the next bytes are the body's size and the body. */
    private boolean awaitingIdentifyBody;

    private PeerInfo peer;

    /** A connection of the lookupd whose shared state is {@code state}. */
    public LookupV1Connection(LookupdState state) {
        this.state = state;
    }

    /** A fatal error: sent as the response, then the connection closes. */
    private static final class LookupError extends Exception {
        private static final long serialVersionUID = 1L;

        LookupError(String code, String description) {
            super(code + " " + description, null, false, false);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (closing) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (!magicRead) {
            if (in.readableBytes() < MAGIC.length) {
                return;
            }
            byte[] magic = new byte[MAGIC.length];
            in.readBytes(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                log.info(
                        "lookup client {}: bad protocol magic '{}'",
                        remote(ctx),
                        new String(magic, StandardCharsets.UTF_8));
                fail(ctx, "E_BAD_PROTOCOL");
                return;
            }
            magicRead = true;
        }
        try {
            while (!closing && in.isReadable()) {
                if (awaitingIdentifyBody) {
                    byte[] body = identifyBody(in);
                    if (body == null) {
                        return;
                    }
                    awaitingIdentifyBody = false;
                    respond(ctx, identify(ctx, body));
                    continue;
                }
                int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                if (eol < 0) {
                    if (in.readableBytes() > MAX_LINE) {
                        throw new LookupError("E_INVALID", "command longer than " + MAX_LINE + " bytes");
                    }
                    return;
                }
                String line = in.readCharSequence(eol - in.readerIndex(), StandardCharsets.UTF_8)
                        .toString();
                in.skipBytes(1);
                byte[] response = exec(line.strip().split(" ", -1));
                if (response != null) {
                    respond(ctx, response);
                }
            }
        } catch (LookupError e) {
            log.info("lookup client {}: {}", remote(ctx), e.getMessage());
            fail(ctx, e.getMessage());
        }
    }

    private byte[] exec(String[] params) throws LookupError {
        return switch (params[0]) {
            case "PING" -> ping();
            case "IDENTIFY" -> {
                if (peer != null) {
                    throw new LookupError("E_INVALID", "cannot IDENTIFY again");
                }
                awaitingIdentifyBody = true;
                yield null;
            }
            case "REGISTER" -> register(params);
            case "UNREGISTER" -> unregister(params);
            default -> throw new LookupError("E_INVALID", "invalid command " + params[0]);
        };
    }

    private byte[] ping() {
        if (peer != null) {
            peer.touch(state.now());
        }
        return OK;
    }

    /** The IDENTIFY body once all of it is there, else null (nothing consumed). */
    private byte[] identifyBody(ByteBuf in) throws LookupError {
        if (in.readableBytes() < 4) {
            return null;
        }
        int size = in.getInt(in.readerIndex());
        if (size < 0 || size > state.options.maxIdentifySize()) {
            throw new LookupError("E_BAD_BODY", "IDENTIFY failed to read body size");
        }
        if (in.readableBytes() < 4 + size) {
            return null;
        }
        in.skipBytes(4);
        byte[] body = new byte[size];
        in.readBytes(body);
        return body;
    }

    private byte[] identify(ChannelHandlerContext ctx, byte[] body) throws LookupError {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw new LookupError("E_BAD_BODY", "IDENTIFY failed to decode JSON body");
        }
        if (json == null || !(json.isObject() || json.isNull())) {
            throw new LookupError("E_BAD_BODY", "IDENTIFY failed to decode JSON body");
        }
        String remote = remote(ctx);
        PeerInfo info = new PeerInfo(
                remote,
                remote,
                text(json, "hostname"),
                text(json, "broadcast_address"),
                integer(json, "tcp_port"),
                integer(json, "http_port"),
                text(json, "version"),
                state.now());
        if (info.broadcastAddress.isEmpty() || info.tcpPort == 0 || info.httpPort == 0 || info.version.isEmpty()) {
            throw new LookupError("E_BAD_BODY", "IDENTIFY missing fields");
        }
        log.info(
                "lookup client {}: IDENTIFY address {} TCP {} HTTP {} version {}",
                remote,
                info.broadcastAddress,
                info.tcpPort,
                info.httpPort,
                info.version);
        peer = info;
        state.db.addProducer(Registration.client(), new Producer(info));
        // the keys in the order Go's encoding of a map gives them
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("broadcast_address", state.options.broadcastAddress());
        answer.put("hostname", state.options.hostname());
        answer.put("http_port", state.httpPort());
        answer.put("tcp_port", state.tcpPort());
        answer.put("version", state.options.version());
        try {
            return JSON.writeValueAsBytes(answer);
        } catch (IOException e) {
            return OK;
        }
    }

    /** A string field as Go's decoding into a string reads it: absent or null is empty. */
    private static String text(JsonNode json, String field) throws LookupError {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw new LookupError("E_BAD_BODY", "IDENTIFY failed to decode JSON body");
        }
        return v.asText();
    }

    /** An int field as Go's decoding into an int reads it: absent or null is 0, a fraction is refused. */
    private static int integer(JsonNode json, String field) throws LookupError {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new LookupError("E_BAD_BODY", "IDENTIFY failed to decode JSON body");
        }
        return v.intValue();
    }

    /** The topic and channel (empty when none) of a REGISTER or UNREGISTER. */
    private static String[] topicChannel(String command, String[] params) throws LookupError {
        if (params.length < 2) {
            throw new LookupError("E_INVALID", command + " insufficient number of params");
        }
        String topic = params[1];
        String channel = params.length >= 3 ? params[2] : "";
        if (!Names.isValid(topic)) {
            throw new LookupError("E_BAD_TOPIC", command + " topic name '" + topic + "' is not valid");
        }
        if (!channel.isEmpty() && !Names.isValid(channel)) {
            throw new LookupError("E_BAD_CHANNEL", command + " channel name '" + channel + "' is not valid");
        }
        return new String[] {topic, channel};
    }

    private byte[] register(String[] params) throws LookupError {
        if (peer == null) {
            throw new LookupError("E_INVALID", "client must IDENTIFY");
        }
        String[] tc = topicChannel("REGISTER", params);
        if (!tc[1].isEmpty() && state.db.addProducer(Registration.channel(tc[0], tc[1]), new Producer(peer))) {
            log.info("lookup client {}: REGISTER channel {} of topic {}", peer.id, tc[1], tc[0]);
        }
        if (state.db.addProducer(Registration.topic(tc[0]), new Producer(peer))) {
            log.info("lookup client {}: REGISTER topic {}", peer.id, tc[0]);
        }
        return OK;
    }

    private byte[] unregister(String[] params) throws LookupError {
        if (peer == null) {
            throw new LookupError("E_INVALID", "client must IDENTIFY");
        }
        String[] tc = topicChannel("UNREGISTER", params);
        String topic = tc[0];
        String channel = tc[1];
        if (!channel.isEmpty()) {
            removeFrom(Registration.channel(topic, channel));
            log.info("lookup client {}: UNREGISTER channel {} of topic {}", peer.id, channel, topic);
        } else {
            // a topic's unregistration takes the node off each of its channels too
            for (Registration r : state.db.find(Registration.CHANNEL, topic, "*")) {
                state.db.removeProducer(r, peer.id);
            }
            removeFrom(Registration.topic(topic));
            log.info("lookup client {}: UNREGISTER topic {}", peer.id, topic);
        }
        return OK;
    }

    /**
     * Takes this peer off {@code key}; an ephemeral topic or channel left without producers is
     * forgotten, whether the peer unregistered it or its connection ended. nsqlookupd forgets it only
     * on UNREGISTER, so a broker whose connection dropped while it had one left it listed for good.
     */
    private void removeFrom(Registration key) {
        int left = state.db.removeProducer(key, peer.id);
        if (left == 0 && key.isEphemeral()) {
            state.db.removeRegistration(key);
        }
    }

    private static void respond(ChannelHandlerContext ctx, byte[] data) {
        ByteBuf out = ctx.alloc().buffer(4 + data.length);
        out.writeInt(data.length).writeBytes(data);
        ctx.writeAndFlush(out);
    }

    private void fail(ChannelHandlerContext ctx, String message) {
        closing = true;
        byte[] data = message.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = ctx.alloc().buffer(4 + data.length);
        out.writeInt(data.length).writeBytes(data);
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (peer != null) {
            for (Registration r : state.db.registrationsOf(peer.id)) {
                removeFrom(r);
            }
            log.info("lookup client {}: gone, its registrations removed", peer.id);
            peer = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.info("lookup client {}: {}", remote(ctx), cause.toString());
        ctx.close();
    }

    /** The peer's address as Go prints it: {@code ip:port}, {@code [ipv6]:port}. */
    private static String remote(ChannelHandlerContext ctx) {
        SocketAddress address = ctx.channel().remoteAddress();
        if (address instanceof InetSocketAddress a && a.getAddress() != null) {
            String ip = a.getAddress().getHostAddress();
            return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }
}
