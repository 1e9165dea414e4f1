package dev.ferry.internal.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Keeps damaged bytes: recovery never deletes a damaged stretch of a data file, it copies it into
 * {@code <file>.damaged-at-<byte>} next to the file (written to a temporary file, forced and renamed,
 * so a crash leaves either the whole copy or none). No data file's listing matches that name, so
 * the engine never reads it back; it is there for whoever investigates. Stateless and thread-safe.
 */
final class Quarantine {
    static final String MARK = ".damaged-at-";

    private Quarantine() {}

    /** The quarantine file for the stretch of {@code file} starting at byte {@code at}. */
    static Path fileFor(Path file, long at) {
        return file.resolveSibling(file.getFileName() + MARK + at);
    }

    /**
     * Copies {@code bytes} (from its position to its limit), found at byte {@code at} of {@code
     * file}, into its quarantine file; a copy of the same size already there (from an earlier start)
     * is kept as it is.
     *
     * @return the quarantine file
     */
    static Path save(Path file, long at, ByteBuffer bytes) throws IOException {
        Path target = fileFor(file, at);
        if (Files.exists(target) && Files.size(target) == bytes.remaining()) {
            return target;
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            FileIo.writeFullyAt(out, bytes.duplicate(), 0);
            out.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }
}
