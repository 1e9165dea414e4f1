package dev.ferry;

/**
 * The embedded engine cannot use its data directory: it is held by another process, has an
 * unknown format, or the disk failed. The message names the directory and what was found.
 */
public final class StorageException extends FerryException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for the given diagnostic message. */
    public StorageException(String message) {
        super(message);
    }

    /** Creates the exception for the given diagnostic message and cause. */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
