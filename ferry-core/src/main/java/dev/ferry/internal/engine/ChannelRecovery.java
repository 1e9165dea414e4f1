package dev.ferry.internal.engine;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a channel's state back after a restart: its snapshot and the journals written after it
 * ({@link #read}), then checks that state against the topic log and its retry store and sorts its
 * messages into ready, deferred and far-ahead ones ({@link #restore}); {@link ChannelState#recover}
 * installs the result. Journal records are applied in order and each carries the whole new state of
 * its message, so replaying a record twice, or one whose effect the snapshot already holds, changes
 * nothing.
 *
 * <p>Threading: static and stateless; called once per channel at start, under the owning topic's
 * lock, before the engine serves anyone.
 */
final class ChannelRecovery {
    private static final Logger log = LoggerFactory.getLogger(ChannelRecovery.class);

    private ChannelRecovery() {}

    /**
     * A channel's state as recovered and checked, ready to install.
     *
     * @param entries every message tracked one by one (in the log or in a loaded retry bucket)
     * @param ready those of {@code entries} to deliver at once, by key
     * @param deferred those of {@code entries} waiting for their due time
     * @param copiedAhead keys of retry copies ahead of the cursor, which the cursor must skip in the log
     * @param farBuckets retry buckets not tracked one by one, with their message counts
     */
    record Restored(
            long cursorOffset,
            long cursorSeq,
            long messageCount,
            long requeueCount,
            long timeoutCount,
            long dropCount,
            TreeSet<Long> loadedBuckets,
            List<Entry> entries,
            List<Entry> ready,
            List<Entry> deferred,
            LongArrayList copiedAhead,
            Map<Long, Long> farBuckets) {}

    /**
     * Reads the channel in {@code dir} and checks it against {@code topicLog} and {@code retry}:
     * the cursor moves past deliveries whose cursor record was lost, and up to the log's start;
     * messages gone from the log are dropped (counted, with an error line); messages that were in
     * flight come back ready.
     */
    static Restored restore(
            Path dir, RetryStore retry, TopicLog topicLog, String topic, String channel, long now, DamageCounts counts)
            throws IOException {
        State state = read(dir, retry, counts);
        Long2ObjectOpenHashMap<Entry> copies = null;
        long cursorOffset = state.cursorOffset;
        long cursorSeq = state.cursorSeq;
        long dropCount = state.dropCount;
        // a torn journal may hold deliveries whose cursor record was lost
        if (state.maxLogKey >= cursorOffset) {
            LogRecord last = topicLog.readAt(state.maxLogKey);
            if (last != null) {
                cursorOffset = last.nextOffset();
                cursorSeq = last.seq() + 1;
            }
        }
        long messageCount = state.messageCount;
        // A damaged journal stretch may have held deliveries of messages the cursor had already
        // passed: their entries would be missing, and the messages lost. Read the log again from
        // where the cursor was before the damage (finished messages after it come again).
        boolean rewound = state.cursorBeforeDamage >= 0 && state.cursorBeforeDamage < cursorOffset;
        if (rewound) {
            log.warn(
                    "topic {} channel {}: its journal was damaged after log offset {}: the messages from"
                            + " there on are delivered again (some may have been finished)",
                    topic,
                    channel,
                    state.cursorBeforeDamage);
            messageCount -= Math.max(0, cursorSeq - state.seqBeforeDamage);
            cursorOffset = state.cursorBeforeDamage;
            cursorSeq = state.seqBeforeDamage;
        }
        if (cursorOffset < topicLog.startOffset()) {
            dropCount += Math.max(0, topicLog.startSeq() - cursorSeq);
            cursorOffset = topicLog.startOffset();
            cursorSeq = topicLog.startSeq();
        }
        long logEnd = topicLog.endOffset();
        if (cursorOffset > logEnd) {
            // the log lost its tail (cut short outside the engine): what is appended from now on
            // starts at its end, and the cursor must not be past it
            log.error(
                    "topic {} channel {}: the cursor (log offset {}) is past the end of the log ({}): the"
                            + " log lost records this channel had read; it reads on from the end",
                    topic,
                    channel,
                    cursorOffset,
                    logEnd);
            cursorOffset = logEnd;
            cursorSeq = topicLog.endSeq();
        }
        List<Entry> entries = new ArrayList<>(state.entries.size());
        List<Entry> ready = new ArrayList<>();
        List<Entry> deferred = new ArrayList<>();
        LongArrayList copiedAhead = new LongArrayList();
        for (Entry e : state.entries.values()) {
            if (rewound && e.inLog() && e.key >= cursorOffset) {
                continue; // the cursor reads it again
            }
            if (e.inLog()) {
                LogRecord r = topicLog.readAt(e.key);
                if (r == null) {
                    // its move into a retry bucket may be a journal record lost to damage
                    if (copies == null) {
                        copies = retryCopies(retry);
                    }
                    Entry copy = copies.get(e.key);
                    if (copy != null) {
                        copy.attempts = Math.max(copy.attempts, e.attempts);
                        if (state.loadedBuckets.contains(copy.bucket)) {
                            entries.add(copy);
                            (copy.dueAt > now ? deferred : ready).add(copy);
                        } // else its far bucket delivers it when it loads
                        continue;
                    }
                    log.error(
                            "topic {} channel {}: message at log offset {} is gone from the log; dropped",
                            topic,
                            channel,
                            e.key);
                    dropCount++;
                    continue;
                }
                e.id = r.id();
                e.timestamp = r.timestamp();
            } else if (e.key >= cursorOffset && e.key < logEnd) {
                copiedAhead.add(e.key);
            }
            entries.add(e);
            if (e.dueAt > now) {
                deferred.add(e);
            } else {
                ready.add(e);
            }
        }
        ready.sort((a, b) -> Long.compare(a.key, b.key));
        Map<Long, Long> far = new TreeMap<>();
        for (long bucket : retry.buckets()) {
            if (!state.loadedBuckets.contains(bucket)) {
                LongOpenHashSet keys = new LongOpenHashSet();
                for (LogRecord r : retry.readAll(bucket)) {
                    keys.add(r.seq());
                    if (r.seq() >= cursorOffset && r.seq() < logEnd) {
                        copiedAhead.add(r.seq());
                    }
                }
                far.put(bucket, (long) keys.size());
            }
        }
        return new Restored(
                cursorOffset,
                cursorSeq,
                messageCount,
                state.requeueCount,
                state.timeoutCount,
                dropCount,
                state.loadedBuckets,
                entries,
                ready,
                deferred,
                copiedAhead,
                far);
    }

    /** The recovered state of a channel. */
    static final class State {
        long cursorOffset;
        long cursorSeq;
        long messageCount;
        long requeueCount;
        long timeoutCount;
        long dropCount;

        /** Where the cursor was when the first damaged journal stretch came (-1: no damage). */
        long cursorBeforeDamage = -1;

        long seqBeforeDamage;

        /** The highest log key a delivery or copy record names (-1: none). */
        long maxLogKey = -1;

        final Long2ObjectOpenHashMap<Entry> entries = new Long2ObjectOpenHashMap<>();
        final TreeSet<Long> loadedBuckets = new TreeSet<>();
    }

    /** Every retry copy on disk, by key (the newest copy of a key wins). */
    private static Long2ObjectOpenHashMap<Entry> retryCopies(RetryStore retry) throws IOException {
        Long2ObjectOpenHashMap<Entry> out = new Long2ObjectOpenHashMap<>();
        for (long bucket : retry.buckets()) {
            for (LogRecord r : retry.readAll(bucket)) {
                out.put(r.seq(), Entry.fromRetryCopy(r, bucket));
            }
        }
        return out;
    }

    /**
     * Reads the channel's snapshot and replays the journals after it. A damaged snapshot is
     * quarantined and the previous one ({@code snapshot.prev}) is used with the journals since it;
     * when there is none to fall back on, the channel starts from the log's start with every retry
     * copy far ahead (messages are delivered again, none is lost). Findings go into {@code counts}.
     */
    static State read(Path dir, RetryStore retry, DamageCounts counts) throws IOException {
        State state = new State();
        Path current = dir.resolve(Snapshot.FILE);
        Path previous = dir.resolve(Snapshot.PREVIOUS);
        boolean hadCurrent = Files.exists(current);
        boolean hadPrevious = Files.exists(previous);
        Snapshot snap = readOrQuarantine(current, counts);
        boolean damaged = hadCurrent && snap == null;
        if (snap == null && hadPrevious) {
            snap = readOrQuarantine(previous, counts);
            damaged |= snap == null;
            if (snap != null && hadCurrent) {
                log.warn("{}: recovering from the previous snapshot and the journals since it", dir);
            }
        }
        if (snap == null && damaged) {
            log.error(
                    "{}: no intact snapshot to recover from: the channel delivers its topic's whole log and"
                            + " its retry copies again (duplicates possible, no message lost)",
                    dir);
            return state;
        }
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
                FileJournal.replay(file, replayer, counts);
            }
        }
        return state;
    }

    /**
     * Reads a snapshot file (null when there is none). A damaged one is copied to quarantine,
     * counted, logged, removed, and read as null.
     */
    private static Snapshot readOrQuarantine(Path file, DamageCounts counts) throws IOException {
        try {
            return Snapshot.readFile(file);
        } catch (IOException e) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Files.readAllBytes(file));
            Path copy = Quarantine.save(file, 0, bytes);
            Files.delete(file);
            counts.damaged(1, bytes.remaining());
            String why = e instanceof java.io.EOFException || e.getMessage() == null
                    ? "channel snapshot " + file + " is cut short"
                    : e.getMessage();
            log.error("{}; its bytes are kept in {}", why, copy.getFileName());
            return null;
        }
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

        @Override
        public void damaged() {
            if (state.cursorBeforeDamage < 0 || state.cursorOffset < state.cursorBeforeDamage) {
                state.cursorBeforeDamage = state.cursorOffset;
                state.seqBeforeDamage = state.cursorSeq;
            }
        }
    }
}
