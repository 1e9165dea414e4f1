package dev.ferry.nsq.internal.httpapi;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * An HTTP API error, answered as its status and nsqd's {@code {"message":"CODE"}} (see {@link
 * HttpResponses#error}). Thrown by an endpoint, or used to complete its future exceptionally; it
 * carries no stack trace, since it is an answer, not a fault.
 */
public final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;

    /** An error answered with {@code status} and {@code {"message":code}}. */
    public HttpError(HttpResponseStatus status, String code) {
        super(code, null, false, false);
        this.status = status;
    }

    /** The status the error is answered with. */
    public HttpResponseStatus status() {
        return status;
    }

    /** 400 with {@code code}. */
    public static HttpError badRequest(String code) {
        return new HttpError(HttpResponseStatus.BAD_REQUEST, code);
    }

    /** 404 with {@code code}. */
    public static HttpError notFound(String code) {
        return new HttpError(HttpResponseStatus.NOT_FOUND, code);
    }

    /** 413 with {@code code}. */
    public static HttpError tooBig(String code) {
        return new HttpError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, code);
    }
}
