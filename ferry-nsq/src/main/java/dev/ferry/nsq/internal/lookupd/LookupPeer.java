package dev.ferry.nsq.internal.lookupd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's registration with one lookupd over the TCP protocol V1, as nsqd's: it connects, sends
 * the magic and IDENTIFY, then REGISTERs every topic and channel the broker has; afterwards it passes
 * on each change ({@link #command}) and PINGs at an interval. When the connection fails or ends it
 * connects again after a backoff (doubling from the minimum to the maximum, reset by an accepted
 * IDENTIFY) and registers everything again: the lookupd forgot the broker with its connection.
 *
 * <p>Threading: every field is used on one event loop only; {@link #command}, {@link #start} and
 * {@link #close} hand their work to it, so they may be called from any thread and never block.
 */
public final class LookupPeer {
    private static final Logger log = LoggerFactory.getLogger(LookupPeer.class);
    private static final byte[] MAGIC = "  V1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_RESPONSE = 5 << 20;

    private final String host;
    private final int port;
    private final EventLoop loop;
    private final byte[] identify;
    private final Supplier<? extends CompletionStage<List<String>>> registrations;
    private final Duration pingInterval;
    private final long minBackoffMillis;
    private final long maxBackoffMillis;

    private Channel channel;
    private boolean closed;
    private long backoffMillis;
    private int unanswered;
    private long lastAnswerNanos;
    private boolean failing;
    private ScheduledFuture<?> pinger;
    /** Commands that came while the registrations of a new connection were being read; else null. */
    private List<String> held;

    /**
     * A registration with the lookupd at {@code host}:{@code port}, run on {@code loop}.
     *
     * @param identify the IDENTIFY body: the broker's JSON
     * @param registrations the REGISTER commands (without the newline) for everything the broker has
     *     now, once the engine has answered; called on the loop at each connection, and must not
     *     block it (commands passed on meanwhile are sent after them, in order)
     */
    public LookupPeer(
            String host,
            int port,
            EventLoop loop,
            byte[] identify,
            Supplier<? extends CompletionStage<List<String>>> registrations,
            Duration pingInterval,
            Duration minBackoff,
            Duration maxBackoff) {
        this.host = host;
        this.port = port;
        this.loop = loop;
        this.identify = identify.clone();
        this.registrations = registrations;
        this.pingInterval = pingInterval;
        this.minBackoffMillis = Math.max(1, minBackoff.toMillis());
        this.maxBackoffMillis = Math.max(minBackoffMillis, maxBackoff.toMillis());
        this.backoffMillis = minBackoffMillis;
    }

    /** Connects, and keeps pinging and reconnecting until closed. */
    public void start() {
        loop.execute(() -> {
            long every = pingInterval.toNanos();
            pinger = loop.scheduleAtFixedRate(this::ping, every, every, TimeUnit.NANOSECONDS);
            connect();
        });
    }

    /** Sends a command (REGISTER or UNREGISTER, without the newline) if connected; else the next connection's registrations cover it. */
    public void command(String line) {
        loop.execute(() -> send(line));
    }

    /**
     * Closes the connection and stops reconnecting; the lookupd forgets the broker. The future
     * completes once the connection is closed.
     */
    public Future<Void> close() {
        Promise<Void> done = loop.newPromise();
        loop.execute(() -> {
            closed = true;
            if (pinger != null) {
                pinger.cancel(false);
            }
            if (channel != null) {
                channel.close().addListener(f -> done.setSuccess(null));
            } else {
                done.setSuccess(null);
            }
        });
        return done;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }

    private void connect() {
        if (closed) {
            return;
        }
        ChannelFuture connecting = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(MAX_RESPONSE, 0, 4, 0, 4))
                                .addLast(new Responses());
                    }
                })
                .connect(host, port);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                if (!failing) {
                    log.warn(
                            "LOOKUPD({}): cannot connect: {}; retrying",
                            this,
                            f.cause().toString());
                    failing = true;
                }
                retry();
            }
        });
    }

    private void retry() {
        if (closed) {
            return;
        }
        long delay = backoffMillis;
        backoffMillis = Math.min(maxBackoffMillis, backoffMillis * 2);
        loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void connected(Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        channel = ch;
        unanswered = 0;
        lastAnswerNanos = System.nanoTime();
        ByteBuf out = ch.alloc().buffer();
        out.writeBytes(MAGIC);
        out.writeCharSequence("IDENTIFY\n", StandardCharsets.US_ASCII);
        out.writeInt(identify.length).writeBytes(identify);
        ch.writeAndFlush(out);
        unanswered++;
        // changes told while the engine reads what exists wait for it, so they are sent after it
        List<String> waiting = new ArrayList<>();
        held = waiting;
        registrations.get().whenComplete((all, error) -> loop.execute(() -> register(ch, waiting, all, error)));
    }

    /** Sends a new connection's registrations, then the commands held meanwhile. */
    private void register(Channel ch, List<String> waiting, List<String> all, Throwable error) {
        if (held != waiting) {
            return; // a newer connection took over
        }
        held = null;
        if (channel != ch) {
            return;
        }
        if (error != null) {
            log.warn(
                    "LOOKUPD({}): cannot read the engine's topics to register: {}; reconnecting",
                    this,
                    error.toString());
            ch.close();
            return;
        }
        for (String line : all) {
            send(line);
        }
        waiting.forEach(this::send);
        log.info("LOOKUPD({}): connected; registering {} topics and channels", this, all.size());
    }

    private void send(String line) {
        if (channel == null || !channel.isActive()) {
            return;
        }
        if (held != null) {
            held.add(line);
            return;
        }
        ByteBuf out = channel.alloc().buffer(line.length() + 1);
        out.writeCharSequence(line, StandardCharsets.UTF_8);
        out.writeByte('\n');
        channel.writeAndFlush(out);
        unanswered++;
    }

    /** A PING, unless the lookupd has left a command unanswered for a whole interval: then a new connection. */
    private void ping() {
        if (channel == null) {
            return;
        }
        if (unanswered > 0 && System.nanoTime() - lastAnswerNanos > pingInterval.toNanos()) {
            log.warn(
                    "LOOKUPD({}): {} commands unanswered for {} ms; reconnecting",
                    this,
                    unanswered,
                    pingInterval.toMillis());
            channel.close();
            return;
        }
        send("PING");
    }

    private void answered(String response) {
        unanswered = Math.max(0, unanswered - 1);
        lastAnswerNanos = System.nanoTime();
        if (response.startsWith("E_")) {
            // every V1 error closes the connection: the lookupd hangs up after this
            log.error("LOOKUPD({}): {}", this, response);
        } else if (response.startsWith("{")) {
            log.info("LOOKUPD({}): identified: {}", this, response);
            backoffMillis = minBackoffMillis;
            failing = false;
        }
    }

    private void disconnected(Channel ch) {
        if (channel != ch) {
            return;
        }
        channel = null;
        if (!closed) {
            log.warn("LOOKUPD({}): connection closed; reconnecting", this);
            failing = true;
            retry();
        }
    }

    /** The lookupd's answers, one frame each. */
    private final class Responses extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            connected(ctx.channel());
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            answered(frame.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            disconnected(ctx.channel());
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("LOOKUPD({}): {}", LookupPeer.this, cause.toString());
            ctx.close();
        }
    }
}
