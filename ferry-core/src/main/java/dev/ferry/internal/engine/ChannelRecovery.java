package dev.ferry.internal.engine;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * Reads a channel's state back from its snapshot and the journals written after it. The result is
 * raw: {@link ChannelState#recover} then checks it against the topic log and rebuilds its queues.
 * Records are applied in order and each carries the whole new state of its message, so replaying
 * a record twice, or one whose effect the snapshot already holds, changes nothing.
 */
final class ChannelRecovery {
    private ChannelRecovery() {}

    /** The recovered state of a channel. */
    static final class State {
        long cursorOffset;
        long cursorSeq;
        long messageCount;
        long requeueCount;
        long timeoutCount;
        long dropCount;

        /** The highest log key a delivery or copy record names (-1: none). */
        long maxLogKey = -1;

        final Long2ObjectOpenHashMap<Entry> entries = new Long2ObjectOpenHashMap<>();
        final TreeSet<Long> loadedBuckets = new TreeSet<>();
    }

    static State read(Path dir, RetryStore retry) throws IOException {
        State state = new State();
        Snapshot snap = Snapshot.read(dir);
        long firstGeneration = 0;
        if (snap != null) {
            firstGeneration = snap.nextGeneration();
            state.cursorOffset = snap.cursorOffset();
            state.cursorSeq = snap.cursorSeq();
            state.messageCount = snap.messageCount();
            state.requeueCount = snap.requeueCount();
            state.timeoutCount = snap.timeoutCount();
            state.dropCount = snap.dropCount();
            state.loadedBuckets.addAll(snap.loadedBuckets());
            for (Snapshot.Item item : snap.items()) {
                Entry e = new Entry(item.key());
                e.id = item.id();
                e.timestamp = item.timestamp();
                e.attempts = item.attempts();
                e.dueAt = item.dueAt();
                e.bucket = item.bucket();
                e.pos = item.pos();
                state.entries.put(e.key, e);
            }
        }
        Replayer replayer = new Replayer(state, retry);
        for (Path file : FileJournal.files(dir)) {
            if (FileJournal.generationOf(file) >= firstGeneration) {
                FileJournal.replay(file, replayer);
            }
        }
        return state;
    }

    /** Applies journal records to the state being recovered. */
    private static final class Replayer implements FileJournal.Visitor {
        private final State state;
        private final RetryStore retry;

        Replayer(State state, RetryStore retry) {
            this.state = state;
            this.retry = retry;
        }

        private Entry entry(long key) {
            Entry e = state.entries.get(key);
            if (e == null) {
                e = new Entry(key);
                state.entries.put(key, e);
            }
            return e;
        }

        @Override
        public void cursor(long offset, long seq) {
            state.cursorOffset = offset;
            state.cursorSeq = seq;
        }

        @Override
        public void deliver(long key, int attempts) {
            Entry e = entry(key);
            e.attempts = attempts;
            e.dueAt = 0;
            if (e.inLog()) {
                state.maxLogKey = Math.max(state.maxLogKey, key);
            }
        }

        @Override
        public void finish(long key) {
            state.entries.remove(key);
        }

        @Override
        public void requeue(long key, long dueAt) {
            Entry e = state.entries.get(key);
            if (e != null) {
                e.dueAt = dueAt;
            }
        }

        @Override
        public void move(long key, long bucket, long pos, int attempts, long dueAt, long id, long timestamp) {
            if (!state.loadedBuckets.contains(bucket)) {
                // a copy into a bucket not yet loaded: it lives in that file until the bucket loads
                state.entries.remove(key);
                state.maxLogKey = Math.max(state.maxLogKey, key);
                return;
            }
            Entry e = entry(key);
            e.bucket = bucket;
            e.pos = pos;
            e.attempts = attempts;
            e.dueAt = dueAt;
            e.id = id;
            e.timestamp = timestamp;
        }

        @Override
        public void loaded(long bucket) throws IOException {
            state.loadedBuckets.add(bucket);
            for (LogRecord r : retry.readAll(bucket)) {
                if (!state.entries.containsKey(r.seq())) {
                    state.entries.put(r.seq(), Entry.fromRetryCopy(r, bucket));
                }
            }
        }

        @Override
        public void emptied() {
            state.entries.clear();
            state.loadedBuckets.clear();
        }
    }
}
