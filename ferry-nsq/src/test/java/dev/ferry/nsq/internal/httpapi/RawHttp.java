package dev.ferry.nsq.internal.httpapi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP handler behind the same codec and aggregator the servers use, fed raw request bytes and
 * read back as the raw bytes a client receives, so what the codec does (a HEAD answer without its
 * body) is part of what a test sees. No sockets.
 */
public final class RawHttp implements AutoCloseable {
    private final EmbeddedChannel channel;

    public RawHttp(ChannelHandler api) {
        channel = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), api);
    }

    /** Sends {@code METHOD path HTTP/1.1} with no body; answers the response as received, headers and body. */
    public String exchange(String method, String path) {
        channel.writeInbound(Unpooled.copiedBuffer(
                method + " " + path + " HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n", StandardCharsets.UTF_8));
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
