package dev.ferry.nsq.internal.protocol;

import dev.ferry.nsq.internal.codec.Frame;

/**
 * An error as nsqd reports it: a code ({@code E_BAD_TOPIC}), a description, and whether it closes
 * the connection. Only {@code E_FIN_FAILED}, {@code E_REQ_FAILED} and {@code E_TOUCH_FAILED} leave
 * it open.
 */
public final class NsqError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final String description;
    private final boolean fatal;

    private NsqError(String code, String description, boolean fatal) {
        super(description.isEmpty() ? code : code + " " + description);
        this.code = code;
        this.description = description;
        this.fatal = fatal;
    }

    /** An error that closes the connection after it is sent. */
    public static NsqError fatal(String code, String description) {
        return new NsqError(code, description, true);
    }

    /** An error that leaves the connection open. */
    public static NsqError nonFatal(String code, String description) {
        return new NsqError(code, description, false);
    }

    /** The code, e.g. {@code E_INVALID}. */
    public String code() {
        return code;
    }

    /** The text after the code. */
    public String description() {
        return description;
    }

    /** Whether the connection is closed after the error frame. */
    public boolean isFatal() {
        return fatal;
    }

    /** The error frame to send. */
    public Frame.Error frame() {
        return new Frame.Error(code, description);
    }
}
