package dev.ferry.nsq.internal.lookupd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/** A node's connection to a lookupd without sockets: an embedded channel with a remote address of its own. */
final class V1Peer extends EmbeddedChannel {
    private final InetSocketAddress remote;

    V1Peer(LookupdState state, int port) {
        this.remote = new InetSocketAddress("127.0.0.1", port);
        pipeline().addLast(new LookupV1Connection(state));
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    /** Sends raw text. */
    V1Peer send(String text) {
        writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        return this;
    }

    /** Sends the magic. */
    V1Peer magic() {
        return send("  V1");
    }

    /** Sends IDENTIFY with {@code json} as its body. */
    V1Peer identify(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes("IDENTIFY\n".getBytes(StandardCharsets.US_ASCII));
        buf.writeInt(body.length).writeBytes(body);
        writeInbound(buf);
        return this;
    }

    /** IDENTIFY as a node with these ports, after the magic. */
    V1Peer identifyAs(String address, int tcpPort, int httpPort) {
        magic();
        identify("{\"broadcast_address\":\"" + address + "\",\"hostname\":\"" + address + "\",\"tcp_port\":" + tcpPort
                + ",\"http_port\":" + httpPort + ",\"version\":\"1.3.0\"}");
        return this;
    }

    /** The next response, or null when none is waiting. */
    String response() {
        ByteBuf out = readOutbound();
        if (out == null) {
            return null;
        }
        try {
            int size = out.readInt();
            String text = out.readCharSequence(size, StandardCharsets.UTF_8).toString();
            if (out.isReadable()) {
                throw new AssertionError("a response frame with " + out.readableBytes() + " bytes more than its size");
            }
            return text;
        } finally {
            out.release();
        }
    }
}
