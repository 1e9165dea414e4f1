package dev.ferry.server;

import dev.ferry.FerryException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A data directory given on the command line, checked before an engine opens it, so that a mistake
 * reads as one sentence naming the path and what to do, not as {@code FileAlreadyExistsException} or
 * {@code AccessDeniedException: .../FORMAT.tmp}. It creates nothing. Stateless.
 */
final class DataDirectoryCheck {
    private DataDirectoryCheck() {}

    /**
     * Checks that {@code dir} is a directory this process may write, or can be created as one.
     *
     * @param flag the flag that named it, for the advice ({@code --data-path})
     * @throws FerryException saying what is wrong with it
     */
    static void check(Path dir, String flag) {
        Path path = dir.toAbsolutePath().normalize();
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new FerryException("the data directory " + path + " is a file, not a directory; give " + flag
                    + " a directory (it is created when missing)");
        }
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return; // nothing exists up to the root: let the engine say what it finds
        }
        if (!Files.isDirectory(existing)) {
            throw new FerryException("cannot create the data directory " + path + ": " + existing
                    + " is a file, not a directory; give " + flag + " another directory");
        }
        if (!Files.isWritable(existing)) {
            throw new FerryException((existing.equals(path)
                            ? "cannot write to the data directory " + path
                            : "cannot create the data directory " + path + " in " + existing)
                    + ": permission denied; give " + flag
                    + " a directory this user may write, or change the directory's owner or mode");
        }
    }
}
