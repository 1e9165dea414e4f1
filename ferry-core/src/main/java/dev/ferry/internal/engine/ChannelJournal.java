package dev.ferry.internal.engine;

import java.io.IOException;

/**
 * The append-only record of a channel's state changes. Records are buffered in memory; {@link
 * #write()} puts them in the file (done before any delivery is handed out, so a killed process
 * keeps exact attempts), and {@link #sync(boolean)} writes and optionally forces them (the sync
 * thread's group commit). Methods other than {@code sync} are called under the topic lock.
 */
interface ChannelJournal extends Syncable, AutoCloseable {
    byte CURSOR = 1;
    byte DELIVER = 2;
    byte FINISH = 3;
    byte REQUEUE = 4;
    byte MOVE = 5;
    byte LOADED = 6;
    byte EMPTIED = 7;

    /** The cursor moved to {@code offset} / {@code seq}. */
    void cursor(long offset, long seq);

    /** Message {@code key} was delivered for the {@code attempts}-th time. */
    void deliver(long key, int attempts);

    /** Message {@code key} was finished (or dropped). */
    void finish(long key);

    /** Message {@code key} was requeued, due at {@code dueAt} (0: at once). */
    void requeue(long key, long dueAt);

    /** Message {@code key} was copied into retry bucket {@code bucket} at {@code pos}. */
    void move(long key, long bucket, long pos, int attempts, long dueAt, long id, long timestamp);

    /** Retry bucket {@code bucket}'s records are now tracked one by one. */
    void loaded(long bucket);

    /** Every message of the channel was dropped. */
    void emptied();

    /** Writes buffered records to the file. */
    void write() throws IOException;

    /** Bytes in the current journal file, buffered records included. */
    long size();

    /**
     * Starts a new journal generation for a snapshot. The old file gets the buffered records but is
     * not forced here (this runs under the topic's lock): {@link #forceRetired} forces and closes it,
     * and so does the next forcing {@link #sync}, before it forces the new file. The old file stays
     * on disk: the snapshot writer deletes journals once no kept snapshot needs them.
     */
    void rotate(long generation) throws IOException;

    /**
     * Forces the files of the generations {@link #rotate} ended to disk and closes them. May block
     * on the disk; safe to call from any thread, also while another thread appends.
     */
    void forceRetired() throws IOException;

    @Override
    void close();

    /** A journal that records nothing, for channels that live in memory only. */
    ChannelJournal NONE = new ChannelJournal() {
        @Override
        public void cursor(long offset, long seq) {}

        @Override
        public void deliver(long key, int attempts) {}

        @Override
        public void finish(long key) {}

        @Override
        public void requeue(long key, long dueAt) {}

        @Override
        public void move(long key, long bucket, long pos, int attempts, long dueAt, long id, long timestamp) {}

        @Override
        public void loaded(long bucket) {}

        @Override
        public void emptied() {}

        @Override
        public void write() {}

        @Override
        public long size() {
            return 0;
        }

        @Override
        public void rotate(long generation) {}

        @Override
        public void forceRetired() {}

        @Override
        public void sync(boolean force) {}

        @Override
        public void close() {}
    };
}
