package dev.ferry.internal.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens real files whose writes fail with "No space left on device" while {@link #failing} is set,
 * and whose positional reads fail with "Input/output error" while {@link #failingReads} is.
 */
final class FaultyFileIo implements FileIo {
    volatile boolean failing;
    volatile boolean failingReads;

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return new DelegatingFileChannel(FileChannel.open(path, options)) {
            @Override
            protected void beforeWrite(FileChannel file, ByteBuffer src, long position) throws IOException {
                if (!failing) {
                    return;
                }
                // a partial write first, as a full disk may leave one
                if (src.remaining() > 4) {
                    ByteBuffer part = src.duplicate();
                    part.limit(part.position() + 4);
                    file.write(part, position >= 0 ? position : file.size());
                }
                throw new IOException("No space left on device");
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                if (failingReads) {
                    throw new IOException("Input/output error");
                }
                return super.read(dst, position);
            }
        };
    }
}
