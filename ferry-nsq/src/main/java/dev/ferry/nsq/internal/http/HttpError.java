package dev.ferry.nsq.internal.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/** An HTTP API error: nsqd answers {@code {"message":"CODE"}} with a status. */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final transient HttpResponseStatus status;

    HttpError(HttpResponseStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static HttpError badRequest(String code) {
        return new HttpError(HttpResponseStatus.BAD_REQUEST, code);
    }

    static HttpError notFound(String code) {
        return new HttpError(HttpResponseStatus.NOT_FOUND, code);
    }

    static HttpError tooBig(String code) {
        return new HttpError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, code);
    }
}
