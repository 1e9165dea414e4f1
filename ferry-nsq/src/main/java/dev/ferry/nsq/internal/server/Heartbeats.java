package dev.ferry.nsq.internal.server;

import dev.ferry.nsq.internal.codec.Frame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's heartbeats and read deadline, as nsqd's: a {@code _heartbeat_} frame every interval,
 * and the connection closed when nothing was read for twice the interval. The interval starts as the
 * server's and may be changed (or disabled, 0) by IDENTIFY.
 *
 * <p>Threading: used on the connection's event loop only; the beats are scheduled on it.
 */
final class Heartbeats {
    private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

    private final V2Connection connection;
    private long intervalMillis;
    private long lastReadNanos;
    private ScheduledFuture<?> beating;

    Heartbeats(V2Connection connection, long intervalMillis) {
        this.connection = connection;
        this.intervalMillis = intervalMillis;
    }

    /** The interval in milliseconds; 0 when disabled. */
    long intervalMillis() {
        return intervalMillis;
    }

    /** The connection is open: the read deadline counts from now and the beats start. */
    void start() {
        read();
        schedule();
    }

    /** Something was read: the read deadline counts from now. */
    void read() {
        lastReadNanos = now();
    }

    /** Beats every {@code millis} (0: no more beats) from now on. */
    void every(long millis) {
        intervalMillis = millis;
        schedule();
    }

    /** Stops beating (the connection closed). */
    void stop() {
        if (beating != null) {
            beating.cancel(false);
        }
    }

    private long now() {
        return connection.ctx().executor().ticker().nanoTime();
    }

    private void schedule() {
        ChannelHandlerContext ctx = connection.ctx();
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        if (beating != null) {
            beating.cancel(false);
            beating = null;
        }
        if (intervalMillis > 0) {
            beating = ctx.executor()
                    .scheduleAtFixedRate(this::beat, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void beat() {
        if (connection.closed()) {
            return;
        }
        if (now() - lastReadNanos >= TimeUnit.MILLISECONDS.toNanos(2 * intervalMillis)) {
            log.info(
                    "client {}: nothing read for twice the heartbeat interval ({} ms); closing",
                    connection.ctx().channel(),
                    2 * intervalMillis);
            connection.close();
            return;
        }
        connection.respond(Frame.HEARTBEAT);
    }
}
