package dev.ferry.internal.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * How the engine opens its files: the seam through which tests inject disk errors. The default
 * opens a plain {@link FileChannel}.
 */
@FunctionalInterface
interface FileIo {
    /** The default: {@link FileChannel#open(Path, OpenOption...)}. */
    FileIo DEFAULT = FileChannel::open;

    /** Opens a file. */
    FileChannel open(Path path, OpenOption... options) throws IOException;

    /**
     * Writes all of {@code buf} at {@code pos}. When a write fails the file is cut back to {@code
     * pos}, so no partial record stays behind, and the failure is thrown.
     */
    static void writeFullyAt(FileChannel channel, ByteBuffer buf, long pos) throws IOException {
        try {
            long at = pos;
            while (buf.hasRemaining()) {
                at += channel.write(buf, at);
            }
        } catch (IOException e) {
            try {
                channel.truncate(pos);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
