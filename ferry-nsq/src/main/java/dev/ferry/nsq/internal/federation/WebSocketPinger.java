package dev.ferry.nsq.internal.federation;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Sends a WebSocket ping whenever a link has been silent (nothing read, nothing written) for the
 * interval, so proxies that drop idle connections keep it. The peer's WebSocket layer answers with a
 * pong. Consumes its own idle events; one per channel.
 */
public final class WebSocketPinger extends ChannelInboundHandlerAdapter {
    private WebSocketPinger() {}

    /** Adds the idle detector and the pinger after the handler named {@code after}. */
    public static void addAfter(ChannelPipeline pipeline, String after, long intervalMillis) {
        pipeline.addAfter(after, "ws-idle", new IdleStateHandler(0, 0, intervalMillis, TimeUnit.MILLISECONDS))
                .addAfter("ws-idle", "ws-ping", new WebSocketPinger());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.writeAndFlush(new PingWebSocketFrame());
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
