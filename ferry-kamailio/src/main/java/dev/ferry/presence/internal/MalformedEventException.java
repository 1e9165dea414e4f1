package dev.ferry.presence.internal;

/**
 * An event that can never become a presentity row, whatever the database does: not JSON, a field of
 * the wrong type, a required field missing, a value the table cannot hold. Its message says which,
 * in plain words, for the log line that goes with the dead letter.
 */
public final class MalformedEventException extends Exception {
    private static final long serialVersionUID = 1L;

    /** An event rejected for {@code reason}. */
    public MalformedEventException(String reason) {
        super(reason);
    }
}
