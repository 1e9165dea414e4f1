package dev.ferry.nsq.internal.http;

import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.httpapi.HttpError;
import dev.ferry.nsq.internal.httpapi.HttpResponses;
import dev.ferry.nsq.internal.protocol.MpubBody;
import dev.ferry.nsq.internal.protocol.NsqError;
import dev.ferry.spi.Engine;
import dev.ferry.spi.PublishRecord;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * nsqd's publishing endpoints: {@code /pub?topic=T[&defer=ms]} (the body is one message) and {@code
 * /mpub?topic=T[&binary=true]} (messages separated by {@code \n}, empty lines skipped, no message
 * at all is OK; or nsqd's
 * binary {@code int32 n | (int32 len | bytes)*}), with nsqd's checks and error codes. Each answers
 * {@code OK} once the engine's append completed, i.e. once its durability promise holds; 503 with
 * the reason when the engine refuses.
 *
 * <p>Stateless and thread-safe; runs on the event loop and never blocks (the engine's append
 * completes later).
 */
final class PublishEndpoints {
    private final Engine engine;
    private final ServerOptions options;

    PublishEndpoints(Engine engine, ServerOptions options) {
        this.engine = engine;
        this.options = options;
    }

    /** {@code /pub}: one message, deferred by {@code defer} ms (at most the max REQ timeout). */
    CompletableFuture<FullHttpResponse> pub(Exchange x) {
        int size = x.request().content().readableBytes();
        if (size > options.maxMsgSize()) {
            throw HttpError.tooBig("MSG_TOO_BIG");
        }
        if (size == 0) {
            throw HttpError.badRequest("MSG_EMPTY");
        }
        String topic = x.validTopic();
        long defer = 0;
        Optional<String> deferParam = x.param("defer");
        if (deferParam.isPresent()) {
            try {
                defer = Long.parseLong(deferParam.get());
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("INVALID_DEFER");
            }
            if (defer < 0 || defer > options.maxReqTimeout().toMillis()) {
                throw HttpError.badRequest("INVALID_DEFER");
            }
        }
        byte[] body = ByteBufUtil.getBytes(x.request().content());
        return append(topic, List.of(new PublishRecord(body, defer)));
    }

    /** {@code /mpub}: several messages, as text lines or nsqd's binary batch. */
    CompletableFuture<FullHttpResponse> mpub(Exchange x) {
        int size = x.request().content().readableBytes();
        if (size > options.maxBodySize()) {
            throw HttpError.tooBig("BODY_TOO_BIG");
        }
        String topic = x.validTopic();
        byte[] body = ByteBufUtil.getBytes(x.request().content());
        String binary = x.param("binary").orElse("false");
        boolean isBinary = !(binary.equals("false") || binary.equals("0"));
        List<PublishRecord> batch = isBinary ? binaryBatch(body) : textBatch(body);
        if (batch.isEmpty()) {
            // as nsqd: a text body with no message (empty, or empty lines only) publishes nothing,
            // creates the topic and answers OK
            return engine.createTopic(topic)
                    .thenApply(v -> HttpResponses.text(HttpResponseStatus.OK, "OK"))
                    .toCompletableFuture();
        }
        return append(topic, batch);
    }

    private List<PublishRecord> binaryBatch(byte[] body) {
        List<PublishRecord> batch = new ArrayList<>();
        try {
            MpubBody.parse(body, options.maxMsgSize(), options.maxBodySize())
                    .forEach(b -> batch.add(PublishRecord.of(b)));
        } catch (NsqError e) {
            // the TCP protocol's code without its E_ prefix, as nsqd
            throw HttpError.tooBig(e.code().substring(2));
        }
        return batch;
    }

    private List<PublishRecord> textBatch(byte[] body) {
        List<PublishRecord> batch = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                int length = i - start;
                if (length > options.maxMsgSize()) {
                    throw HttpError.tooBig("MSG_TOO_BIG");
                }
                if (length > 0) {
                    byte[] message = new byte[length];
                    System.arraycopy(body, start, message, 0, length);
                    batch.add(PublishRecord.of(message));
                }
                start = i + 1;
            }
        }
        return batch;
    }

    /** The one engine call of both endpoints. */
    private CompletableFuture<FullHttpResponse> append(String topic, List<PublishRecord> batch) {
        return engine.append(topic, batch).handle((v, e) -> {
            if (e == null) {
                return HttpResponses.text(HttpResponseStatus.OK, "OK");
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, cause.getMessage());
        });
    }
}
