package dev.ferry.internal.engine;

import java.io.IOException;

/** Something the sync thread writes back and forces to disk. Thread-safe. */
interface Syncable {
    /** Writes buffered data to the file, and forces it to the disk when {@code force} is set. */
    void sync(boolean force) throws IOException;
}
