package dev.ferry;

/**
 * A publish was refused and nothing of it was stored: the message is too large, a channel is full
 * under the {@code reject} policy, the disk limits are reached, the bus is closed, or too many
 * asynchronous publishes are pending. The message says which limit and its value.
 */
public final class PublishRejectedException extends FerryException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for the given diagnostic message. */
    public PublishRejectedException(String message) {
        super(message);
    }

    /** Creates the exception for the given diagnostic message and cause. */
    public PublishRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
