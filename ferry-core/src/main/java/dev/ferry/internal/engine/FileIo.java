package dev.ferry.internal.engine;

import java.io.IOException;
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
}
