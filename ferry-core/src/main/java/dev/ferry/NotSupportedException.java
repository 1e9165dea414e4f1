package dev.ferry;

/**
 * An operation the bus cannot offer in its current setup, e.g. an administrative operation of a
 * connected bus that was given no HTTP address to reach a broker's API. The message names the
 * operation and why.
 */
public final class NotSupportedException extends FerryException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for the given diagnostic message. */
    public NotSupportedException(String message) {
        super(message);
    }
}
