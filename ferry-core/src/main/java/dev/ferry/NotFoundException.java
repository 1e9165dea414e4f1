package dev.ferry;

/** An administrative operation named a topic or channel that does not exist. */
public final class NotFoundException extends FerryException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for the given diagnostic message. */
    public NotFoundException(String message) {
        super(message);
    }
}
