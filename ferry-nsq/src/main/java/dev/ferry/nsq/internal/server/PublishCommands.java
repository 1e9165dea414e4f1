package dev.ferry.nsq.internal.server;

import dev.ferry.Names;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.nsq.internal.codec.Inbound;
import dev.ferry.nsq.internal.protocol.GoQuote;
import dev.ferry.nsq.internal.protocol.MpubBody;
import dev.ferry.nsq.internal.protocol.NsqError;
import dev.ferry.spi.Engine;
import dev.ferry.spi.PublishRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * PUB, MPUB and DPUB, with nsqd's checks, error codes and texts: each is authorized, appended to the
 * engine, and answered OK once the engine's durability promise holds. While the engine has not
 * answered, later commands of the connection wait, so the answers keep the commands' order.
 *
 * <p>Threading: used on the connection's event loop only; the engine's answer is handed back to it.
 */
final class PublishCommands {
    private final V2Connection connection;
    private final Engine engine;
    private final ServerOptions options;
    private final AuthSession auth;

    PublishCommands(V2Connection connection, Engine engine, ServerOptions options, AuthSession auth) {
        this.connection = connection;
        this.engine = engine;
        this.options = options;
        this.auth = auth;
    }

    /** {@code PUB <topic>} with one message. */
    void pub(Inbound.Command c) {
        String t = topic(c, "PUB", 1, false);
        checkMessageBody(c, "PUB");
        auth.authorized("PUB", t, "", () -> publish(t, List.of(PublishRecord.of(c.body())), "E_PUB_FAILED", "PUB"));
    }

    /** {@code MPUB <topic>} with a batch, stored all or nothing. */
    void mpub(Inbound.Command c) {
        String t = topic(c, "MPUB", 1, true);
        // as nsqd, MPUB checks the permission before the body
        auth.authorized("MPUB", t, "", () -> {
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

    /** {@code DPUB <topic> <defer_ms>}: one message, delivered after the delay. */
    void dpub(Inbound.Command c) {
        String t = topic(c, "DPUB", 2, false);
        String raw = c.params().get(1);
        long ms = CommandParams.base10(raw, "DPUB could not parse timeout " + raw);
        long max = options.maxReqTimeout().toMillis();
        if (ms < 0 || ms > max) {
            throw NsqError.fatal("E_INVALID", "DPUB timeout " + ms + " out of range 0-" + max);
        }
        checkMessageBody(c, "DPUB");
        auth.authorized(
                "DPUB", t, "", () -> publish(t, List.of(new PublishRecord(c.body(), ms)), "E_DPUB_FAILED", "DPUB"));
    }

    private static String topic(Inbound.Command c, String cmd, int params, boolean doubledCode) {
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

    /** Appends, then answers OK once the engine's durability promise holds; later commands wait. */
    private void publish(String t, List<PublishRecord> batch, String failCode, String cmd) {
        CompletableFuture<Void> stored;
        try {
            stored = engine.append(t, batch);
        } catch (RuntimeException e) {
            throw NsqError.fatal(failCode, cmd + " failed " + e.getMessage());
        }
        ClientActivity activity = connection.activity();
        if (stored.isDone() && !stored.isCompletedExceptionally()) {
            activity.published(t, batch.size());
            connection.respond(Frame.OK);
            return;
        }
        connection.hold();
        stored.whenComplete((v, error) -> connection.ctx().executor().execute(() -> {
            connection.release();
            if (error == null) {
                activity.published(t, batch.size());
                connection.respond(Frame.OK);
            } else {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                connection.fail(NsqError.fatal(failCode, cmd + " failed " + cause.getMessage()));
            }
            connection.drainWaiting();
        }));
    }
}
