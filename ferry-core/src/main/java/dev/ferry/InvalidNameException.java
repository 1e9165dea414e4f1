package dev.ferry;

/** A topic or channel name breaks NSQ's naming rule; the message names it and the rule. */
public final class InvalidNameException extends FerryException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for the given diagnostic message. */
    public InvalidNameException(String message) {
        super(message);
    }
}
