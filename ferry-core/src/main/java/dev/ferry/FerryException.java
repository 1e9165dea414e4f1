package dev.ferry;

/**
 * The root of the exceptions Ferry throws. Each subclass names one kind of failure; the message
 * names the thing involved and its state.
 */
public class FerryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a diagnostic message. */
    public FerryException(String message) {
        super(message);
    }

    /** Creates an exception with a diagnostic message and the failure that caused it. */
    public FerryException(String message, Throwable cause) {
        super(message, cause);
    }
}
