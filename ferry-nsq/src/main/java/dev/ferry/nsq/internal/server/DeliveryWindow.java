package dev.ferry.nsq.internal.server;

import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.Inbound;
import dev.ferry.nsq.internal.codec.MessageFrames;
import dev.ferry.nsq.internal.metrics.ChannelTraffic;
import dev.ferry.nsq.internal.protocol.NsqError;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import dev.ferry.spi.MessageIds;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery window of a subscribed connection, as nsqd's: RDY caps the messages in flight to the
 * client (it is not a credit); the claim loop claims from the engine while the window has room and
 * the connection is writable, and writes the messages; FIN, REQ and TOUCH answer for messages in
 * flight, in the order of the commands (an answer the engine has not given yet makes later commands
 * wait). The engine tells this window when messages may be claimable and when one of its leases
 * expired ({@link Engine.ConsumerListener}); an expired lease frees its slot, with no timer here.
 *
 * <p>Threading: used on the connection's event loop, which never waits for the engine: claimed
 * messages and answers are handed back to it when their stage completes. The engine's notices come
 * from other threads and are handed to the event loop too.
 */
final class DeliveryWindow implements Engine.ConsumerListener {
    private static final Logger log = LoggerFactory.getLogger(DeliveryWindow.class);
    /**
     * About how many message bytes one claim takes before writability is checked again: claimed
     * messages are written even when the connection turns unwritable, so this bounds the overshoot.
     */
    private static final int CLAIM_BYTES = 256 * 1024;

    private final V2Connection connection;
    private final Engine engine;
    private final ServerOptions options;
    private final IdentifyNegotiation settings;
    /**
     * The messages in flight by id, in the order they were delivered (the order {@link #requeueAll}
     * gives them back); an entry goes in per delivery and out per FIN.
     */
    private final InFlightRing inFlight = new InFlightRing();
    /** FINs read and checked but not yet given to the engine, with their commands (for errors). */
    private List<Lease> pendingFins = new ArrayList<>();

    private List<Inbound> pendingFinCommands = new ArrayList<>();
    private Engine.Consumer consumer;
    private String topic;
    private String channel;
    private long ready;
    /** The body size of the last message written, to size the next claim. */
    private int lastBodySize = 64;

    private boolean pumpScheduled;
    /** An {@link #available()} notice is queued on the event loop and has not run yet. */
    private final AtomicBoolean availableQueued = new AtomicBoolean();
    /** A claim is out at the engine: no other starts until its messages are written. */
    private boolean claiming;
    /**
     * The window was pumped while a claim was out: the engine may have said "available" after that
     * claim looked, so claim again when it is back even if it brought nothing.
     */
    private boolean pumpedWhileClaiming;
    /** FIN or REQ freed slots during this read: refill once, when the read is done. */
    private boolean pumpAfterRead;
    /** The protocol's counts for this window's channel label, set at SUB. */
    private ChannelTraffic traffic;

    DeliveryWindow(V2Connection connection, Engine engine, ServerOptions options, IdentifyNegotiation settings) {
        this.connection = connection;
        this.engine = engine;
        this.options = options;
        this.settings = settings;
    }

    /** Registers this window as the consumer of a channel (SUB), creating the topic and channel when needed. */
    void subscribe(String topic, String channel) {
        this.consumer = engine.register(topic, channel, this);
        this.traffic = connection.traffic().channel(topic, channel);
        this.topic = topic;
        this.channel = channel;
    }

    /** RDY (the connection checked its state): the new cap on messages in flight. */
    void rdy(Inbound.Command c) {
        long count = 1;
        if (!c.params().isEmpty()) {
            String raw = c.params().get(0);
            count = CommandParams.base10(raw, "RDY could not parse count " + raw);
        }
        if (count < 0 || count > options.maxRdyCount()) {
            throw NsqError.fatal("E_INVALID", "RDY count " + count + " out of range 0-" + options.maxRdyCount());
        }
        ready = count;
        connection.activity().readyCount = count;
        pump();
    }

    /** CLS: no more messages; those in flight may still be answered. */
    void close() {
        ready = 0;
        connection.activity().readyCount = 0;
    }

    /** Checks that FIN, REQ or TOUCH may come now (subscribed or closing). */
    private void requireAnswerable(String cmd) {
        V2Connection.State state = connection.state();
        if (state != V2Connection.State.SUBSCRIBED && state != V2Connection.State.CLOSING) {
            throw NsqError.fatal("E_INVALID", "cannot " + cmd + " in current state");
        }
    }

    /** Checks the state and the parameters of FIN, REQ and TOUCH; returns the message id. */
    private long messageId(Inbound.Command c, String cmd, int params) {
        requireAnswerable(cmd);
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
    private Lease owned(long id, Inbound source, String cmd, String failCode) {
        Lease message = inFlight.get(id);
        if (message == null) {
            throw notInFlight(source, cmd, failCode);
        }
        return message;
    }

    private static NsqError notInFlight(Inbound source, String cmd, String failCode) {
        return NsqError.nonFatal(failCode, cmd + " " + rawId(source) + " failed ID not in flight");
    }

    /** The id as the client wrote it in a FIN, REQ or TOUCH. */
    private static String rawId(Inbound source) {
        return switch (source) {
            case Inbound.Answer a -> a.rawId();
            case Inbound.Command c -> c.params().get(0);
            default -> throw new IllegalArgumentException("not a FIN, REQ or TOUCH: " + source);
        };
    }

    /**
     * FIN: the message is done. The slot is free at once; the engine hears of it with the other FINs
     * of the same read ({@link #flushFins()}), so a consumer finishing every message takes the
     * topic's lock once per read, not once per message.
     */
    void fin(Inbound.Command c) {
        if (!queueFin(c)) {
            owned(messageId(c, "FIN", 1), c, "FIN", "E_FIN_FAILED"); // not in flight: throws its error
        }
    }

    /** FIN in its usual form: as {@link #fin(Inbound.Command)}. */
    void fin(Inbound.Answer a) {
        if (!queueFin(a.messageId(), a)) {
            requireAnswerable("FIN");
            throw notInFlight(a, "FIN", "E_FIN_FAILED");
        }
    }

    /**
     * Takes a well-formed FIN of a message in flight to this client: frees its slot and queues it
     * for {@link #flushFins()}. Returns false, doing nothing, for any other FIN, which {@link
     * #fin} answers with its error once the queued ones are flushed (so errors keep their order).
     */
    boolean queueFin(Inbound.Command c) {
        if (c.params().isEmpty()) {
            return false;
        }
        long id;
        try {
            id = MessageIds.fromHex(c.params().get(0));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return queueFin(id, c);
    }

    /** As {@link #queueFin(Inbound.Command)}, for the message {@code id} that {@code source} finishes. */
    boolean queueFin(long id, Inbound source) {
        V2Connection.State state = connection.state();
        if (state != V2Connection.State.SUBSCRIBED && state != V2Connection.State.CLOSING) {
            return false;
        }
        Lease lease = inFlight.remove(id);
        if (lease == null) {
            return false;
        }
        connection.activity().inFlightCount = inFlight.size();
        pendingFins.add(lease);
        pendingFinCommands.add(source);
        return true;
    }

    /**
     * Gives the engine the FINs read since the last call, in one {@link Engine#ack(List)}, and acts
     * on its answers in the order of the commands (E_FIN_FAILED for a lease that went stale
     * meanwhile). Called before any other command is handled and when a read is done, so answers
     * keep the order of the commands.
     *
     * @return true when the engine has not answered yet: the connection is held (later commands
     *     wait) until it has
     */
    boolean flushFins() {
        if (pendingFins.isEmpty()) {
            return false;
        }
        // handed over whole: the engine may read the list after this returns
        List<Lease> leases = pendingFins;
        List<Inbound> commands = pendingFinCommands;
        pendingFins = new ArrayList<>(leases.size());
        pendingFinCommands = new ArrayList<>(commands.size());
        CompletableFuture<List<Boolean>> answers = engine.ack(leases).toCompletableFuture();
        if (answers.isDone()) {
            onFinAnswers(
                    answers.isCompletedExceptionally() ? null : answers.resultNow(), exceptionOf(answers), commands);
            return false;
        }
        connection.hold();
        answers.whenComplete((oks, error) -> connection.ctx().executor().execute(() -> {
            connection.release();
            if (!connection.closed()) {
                onFinAnswers(oks, error, commands);
                readComplete();
            }
            connection.drainWaiting();
        }));
        return true;
    }

    /**
     * Counts the FINs the engine took and answers E_FIN_FAILED for each it refused, in order; an
     * engine failure is fatal and ends the answers there.
     */
    private void onFinAnswers(List<Boolean> oks, Throwable error, List<Inbound> commands) {
        for (int i = 0; i < commands.size(); i++) {
            boolean ok = error == null && oks.get(i);
            try {
                onAnswer(ok, error, commands.get(i), "FIN", "E_FIN_FAILED", this::finished, null);
            } catch (NsqError e) {
                connection.fail(e);
                if (e.isFatal()) {
                    return;
                }
            }
        }
    }

    private void finished() {
        connection.activity().finishCount++;
        traffic.finished();
        pumpAfterRead = true;
    }

    /** REQ: the message goes back to the channel, delivered again after the (clamped) delay. */
    void req(Inbound.Command c) {
        req(messageId(c, "REQ", 2), c.params().get(1), c);
    }

    /** REQ in its usual form: as {@link #req(Inbound.Command)}. */
    void req(Inbound.Answer a) {
        requireAnswerable("REQ");
        req(a.messageId(), a.timeout(), a);
    }

    private void req(long id, String raw, Inbound source) {
        String error = "REQ could not parse timeout " + raw;
        long ms =
                raw.startsWith("-") ? -CommandParams.base10(raw.substring(1), error) : CommandParams.base10(raw, error);
        // nsqd clamps the delay rather than refusing it
        long delay = Math.max(0, Math.min(ms, options.maxReqTimeout().toMillis()));
        Lease lease = owned(id, source, "REQ", "E_REQ_FAILED");
        inFlight.remove(id);
        connection.activity().inFlightCount = inFlight.size();
        answered(engine.nack(lease, Duration.ofMillis(delay)), source, "REQ", "E_REQ_FAILED", () -> {
            connection.activity().requeueCount++;
            pumpAfterRead = true;
        });
    }

    /** TOUCH: the message's timeout starts again, never past its delivery plus the max msg timeout. */
    void touch(Inbound.Command c) {
        touch(messageId(c, "TOUCH", 1), c);
    }

    /** TOUCH in its usual form: as {@link #touch(Inbound.Command)}. */
    void touch(Inbound.Answer a) {
        requireAnswerable("TOUCH");
        touch(a.messageId(), a);
    }

    private void touch(long id, Inbound source) {
        Lease lease = owned(id, source, "TOUCH", "E_TOUCH_FAILED");
        long now = options.clock().millis();
        // as nsqd: a touch never takes a message past its delivery time plus the max msg timeout
        long deadline = Math.min(
                now + settings.msgTimeoutMillis(),
                inFlight.deliveredAt(id) + options.maxMsgTimeout().toMillis());
        CompletionStage<Boolean> extended = engine.extend(lease, Duration.ofMillis(Math.max(1, deadline - now)));
        answered(extended, source, "TOUCH", "E_TOUCH_FAILED", null, () -> {
            if (inFlight.remove(id, lease)) {
                connection.activity().inFlightCount = inFlight.size();
            }
        });
    }

    private void answered(
            CompletionStage<Boolean> answer, Inbound source, String cmd, String failCode, Runnable taken) {
        answered(answer, source, cmd, failCode, taken, null);
    }

    /**
     * Acts on the engine's answer to a FIN, REQ or TOUCH: {@code taken} when it took it, {@code
     * refused} and nsqd's non-fatal error when the lease was stale, a fatal error when the engine
     * failed. An answer that is not there yet makes later commands wait (see the class), so the
     * client gets its answers in the order of its commands; the event loop never waits for it.
     */
    private void answered(
            CompletionStage<Boolean> answer,
            Inbound source,
            String cmd,
            String failCode,
            Runnable taken,
            Runnable refused) {
        CompletableFuture<Boolean> result = answer.toCompletableFuture();
        if (result.isDone()) {
            Throwable error = result.isCompletedExceptionally() ? result.exceptionNow() : null;
            onAnswer(error == null && result.resultNow(), error, source, cmd, failCode, taken, refused);
            return;
        }
        connection.hold();
        result.whenComplete((ok, error) -> connection.ctx().executor().execute(() -> {
            connection.release();
            if (!connection.closed()) {
                try {
                    onAnswer(error == null && ok, error, source, cmd, failCode, taken, refused);
                } catch (NsqError e) {
                    connection.fail(e);
                }
                readComplete();
            }
            connection.drainWaiting();
        }));
    }

    private static void onAnswer(
            boolean ok,
            Throwable error,
            Inbound source,
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
            throw notInFlight(source, cmd, failCode);
        }
        if (taken != null) {
            taken.run();
        }
    }

    // ---- the claim loop -------------------------------------------------------------------------

    /**
     * The engine says messages may be claimable: pump on the event loop. Notices that come while
     * one is already on its way to the loop are folded into it (a publisher notifies once per
     * batch, and the loop would wake once per notice otherwise).
     */
    @Override
    public void available() {
        if (availableQueued.getAndSet(true)) {
            return;
        }
        connection.ctx().executor().execute(() -> {
            // cleared before the pump looks: a notice after this point queues another pump
            availableQueued.set(false);
            if (!pumpScheduled) {
                pumpScheduled = true;
                pump();
            }
        });
    }

    /** The engine says a lease of this connection expired: free its slot on the event loop. */
    @Override
    public void expired(Lease lease) {
        connection.ctx().executor().execute(() -> {
            // the same message may be in flight again here, under a newer lease: keep that one
            if (inFlight.remove(lease.messageId(), lease)) {
                connection.activity().inFlightCount = inFlight.size();
                pump();
            }
        });
    }

    /** A read is done: hand its FINs to the engine, then refill the slots FIN and REQ freed, once. */
    void readComplete() {
        if (flushFins()) {
            return;
        }
        if (pumpAfterRead) {
            pumpAfterRead = false;
            pump();
        }
    }

    /** Claims and writes messages while the window has room and the connection is writable. */
    void pump() {
        pumpScheduled = false;
        ChannelHandlerContext ctx = connection.ctx();
        if (claiming) {
            pumpedWhileClaiming = true;
            return;
        }
        if (connection.closed()
                || connection.state() != V2Connection.State.SUBSCRIBED
                || !ctx.channel().isActive()) {
            return;
        }
        // a client that stops reading stops getting messages: nothing piles up in the broker
        while (ready > inFlight.size() && ctx.channel().isWritable()) {
            int wanted = (int) Math.min(ready - inFlight.size(), Math.max(1, CLAIM_BYTES / lastBodySize));
            CompletableFuture<List<Lease>> claimed = consumer.claim(
                            wanted, Duration.ofMillis(settings.msgTimeoutMillis()))
                    .toCompletableFuture();
            if (!claimed.isDone()) {
                claiming = true;
                pumpedWhileClaiming = false;
                claimed.whenComplete((leases, error) -> ctx.executor().execute(() -> {
                    claiming = false;
                    boolean more = write(leases, error);
                    // a signal that came while the claim was out is not lost: it was not looked at
                    if (more || (pumpedWhileClaiming && error == null)) {
                        pump();
                    }
                }));
                break;
            }
            if (!write(claimed.isCompletedExceptionally() ? null : claimed.resultNow(), exceptionOf(claimed))) {
                break;
            }
        }
        connection.activity().inFlightCount = inFlight.size();
    }

    private static Throwable exceptionOf(CompletableFuture<?> done) {
        return done.isCompletedExceptionally() ? done.exceptionNow() : null;
    }

    /**
     * Writes claimed messages to the client; true when some were written and more may be claimed.
     * Messages claimed while the connection went away or began closing go back to the channel.
     */
    private boolean write(List<Lease> leases, Throwable error) {
        ChannelHandlerContext ctx = connection.ctx();
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
        if (connection.closed()
                || connection.state() != V2Connection.State.SUBSCRIBED
                || !ctx.channel().isActive()) {
            for (Lease lease : leases) {
                engine.nack(lease, Duration.ZERO);
            }
            return false;
        }
        ClientActivity activity = connection.activity();
        int sampleRate = settings.sampleRate();
        int outputBufferSize = settings.outputBufferSize();
        Instant instant = options.clock().instant();
        long now = instant.toEpochMilli();
        long nowNanos = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        // the batch goes out as one buffer (one per output_buffer_size bytes), flushed once
        ByteBuf out = null;
        int delivered = 0;
        int remaining = leases.size();
        for (Lease lease : leases) {
            remaining--;
            if (sampleRate > 0 && ThreadLocalRandom.current().nextInt(100) > sampleRate) {
                engine.ack(lease); // sampled out: dropped for this client, as nsqd
                continue;
            }
            inFlight.add(lease, now);
            activity.messageCount++;
            delivered++;
            if (lease.attempts() == 1) {
                connection.traffic().firstDelivery(nowNanos - lease.timestamp());
            }
            byte[] body = lease.body();
            if (out == null) {
                // room for the rest of the batch, or for what output_buffer_size lets wait
                long rest = (long) remaining * MessageFrames.size(lastBodySize);
                long chunk = Math.max(outputBufferSize, 0) + (long) MessageFrames.size(body.length);
                out = ctx.alloc().ioBuffer((int) Math.min(MessageFrames.size(body.length) + rest, chunk));
            }
            MessageFrames.write(out, lease.timestamp(), lease.attempts(), lease.messageId(), body);
            lastBodySize = Math.max(64, body.length);
            if (out.readableBytes() >= outputBufferSize) {
                ctx.writeAndFlush(out);
                out = null;
            }
        }
        if (out != null) {
            ctx.writeAndFlush(out);
        }
        traffic.delivered(delivered); // once per claim: the metric's counter is shared across loops
        activity.inFlightCount = inFlight.size();
        return true;
    }

    /**
     * The connection went away: messages in flight to it are requeued at once (unlike nsqd, which
     * waits for their timeout) and the consumer's registration ends.
     */
    void requeueAll() {
        if (!pendingFins.isEmpty()) {
            // finished by the client before it went: the engine hears of it, nobody hears back
            engine.ack(List.copyOf(pendingFins));
            pendingFins.clear();
            pendingFinCommands.clear();
        }
        inFlight.forEachInDeliveryOrder(lease -> engine.nack(lease, Duration.ZERO));
        inFlight.clear();
        if (consumer != null) {
            consumer.close();
        }
    }
}
