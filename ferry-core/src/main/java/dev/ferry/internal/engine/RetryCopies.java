package dev.ferry.internal.engine;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a channel's messages out of the topic's log into its {@link RetryStore} (deferred
 * publishes, delayed requeues, and messages the cursor left behind, so that they do not hold old
 * log segments) and loads them back when their bucket comes due. Which buckets are tracked in
 * memory and which wait on disk is {@link RetryBuckets}' part; every copy is journalled before the
 * journal says it is tracked. Also reads a tracked message's body from wherever it is stored.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class RetryCopies {
    private static final Logger log = LoggerFactory.getLogger(RetryCopies.class);

    private final TopicState topic;
    private final String channel;
    private final RetryStore retry;
    private final ChannelJournal journal;
    private final ChannelEntries entries;
    private final WaitingEntries waiting;
    private final RetryBuckets buckets = new RetryBuckets();

    /** A deferred message was copied out since the journal was last written. */
    private boolean copiedOut;

    RetryCopies(
            TopicState topic,
            String channel,
            RetryStore retry,
            ChannelJournal journal,
            ChannelEntries entries,
            WaitingEntries waiting) {
        this.topic = topic;
        this.channel = channel;
        this.retry = retry;
        this.journal = journal;
        this.entries = entries;
        this.waiting = waiting;
    }

    static long bucketOf(long dueAt) {
        return RetryBuckets.bucketOf(dueAt);
    }

    /** The body of tracked message {@code e}, read from the log or its retry copy; null when gone. */
    byte[] loadBody(Entry e) throws IOException {
        LogRecord r = e.inLog() ? topic.log().readAt(e.key) : retry.read(e.bucket, e.pos);
        return r == null ? null : r.body();
    }

    /**
     * Copies deferred publish {@code r}, just read from the log, into the bucket of its due time;
     * it is tracked as deferred unless that bucket is far ahead.
     */
    void deferFromLog(LogRecord r, long now) throws IOException {
        long bucket = bucketOf(r.dueAt());
        boolean far = buckets.isFar(bucket, now);
        if (!far) {
            ensureLoaded(bucket);
        }
        long pos = retry.append(bucket, r.offset(), r.id(), r.timestamp(), r.dueAt(), 0, r.body());
        journal.move(r.offset(), bucket, pos, 0, r.dueAt(), r.id(), r.timestamp());
        copiedOut = true;
        if (far) {
            buckets.addFar(bucket, 1);
            return;
        }
        Entry e = new Entry(r.offset());
        e.id = r.id();
        e.timestamp = r.timestamp();
        e.bucket = bucket;
        e.pos = pos;
        e.dueAt = r.dueAt();
        trackInBucket(e);
        entries.track(e);
        waiting.defer(e);
    }

    /** Whether a deferred message was copied out since the last call (the journal must be written). */
    boolean takeCopiedOut() {
        boolean was = copiedOut;
        copiedOut = false;
        return was;
    }

    private void trackInBucket(Entry e) throws IOException {
        ensureLoaded(e.bucket);
        buckets.live(e.bucket, 1);
    }

    /**
     * Makes a bucket tracked one message at a time before anything tracked is written to it, so
     * that recovery knows the bucket's records are accounted for by the journal.
     */
    private void ensureLoaded(long bucket) throws IOException {
        if (buckets.isLoaded(bucket)) {
            return;
        }
        if (buckets.removeFar(bucket)) {
            loadBucket(bucket);
        } else {
            buckets.markLoaded(bucket);
            journal.loaded(bucket);
        }
    }

    /** What became of an entry the channel asked to copy out of the log. */
    enum Move {
        /** Copied into a bucket loaded in memory; still tracked. */
        NEAR,
        /** Copied into a far bucket; no longer tracked in memory. */
        FAR,
        /** Its record cannot be read from the log any more; nothing was copied, the caller drops it. */
        UNREADABLE
    }

    /**
     * Copies log-held entry {@code e} into retry bucket {@code bucket}. An entry whose bucket is far
     * ahead stops being tracked in memory; one whose record can no longer be read (damage found
     * after start-up) is left for the caller to drop.
     */
    Move moveToRetry(Entry e, long bucket, long now) throws IOException {
        byte[] body = e.body != null ? e.body : loadBody(e);
        if (body == null) {
            log.error(
                    "topic {} channel {}: message at key {} is missing from the log; dropped",
                    topic.name,
                    channel,
                    e.key);
            return Move.UNREADABLE;
        }
        boolean far = buckets.isFar(bucket, now) && e.state != Entry.IN_FLIGHT;
        if (!far) {
            ensureLoaded(bucket);
        }
        long pos = retry.append(bucket, e.key, e.id, e.timestamp, e.dueAt, e.attempts, body);
        journal.move(e.key, bucket, pos, e.attempts, e.dueAt, e.id, e.timestamp);
        entries.movedToRetry(e, bucket, pos);
        if (far) {
            entries.untrack(e);
            e.body = null;
            buckets.addFar(bucket, 1);
            return Move.FAR;
        }
        buckets.live(bucket, 1);
        return Move.NEAR;
    }

    /** Copies log-held entry {@code e} out of the log, into the bucket of its due time (or now's). */
    Move moveOutOfLog(Entry e, long now) throws IOException {
        long due = e.state == Entry.DEFERRED ? e.dueAt : now;
        return moveToRetry(e, bucketOf(Math.max(due, now)), now);
    }

    /** Stops counting tracked message {@code e} in its bucket (it is finished or dropped). */
    void released(Entry e) {
        if (!e.inLog()) {
            buckets.live(e.bucket, -1);
        }
    }

    /** Loads the far buckets that come within the horizon at {@code now}. */
    void loadDue(long now) throws IOException {
        while (buckets.hasFarDueBy(now)) {
            loadBucket(buckets.pollFirstFar());
        }
    }

    private void loadBucket(long bucket) throws IOException {
        List<LogRecord> records = retry.readAll(bucket);
        buckets.markLoaded(bucket);
        journal.loaded(bucket);
        for (LogRecord r : records) {
            if (entries.contains(r.seq())) {
                continue;
            }
            Entry e = Entry.fromRetryCopy(r, bucket);
            buckets.live(bucket, 1);
            entries.track(e);
            waiting.defer(e);
        }
    }

    /** When the earliest far bucket must be loaded (ms), or Long.MAX_VALUE. */
    long nextLoadAt() {
        return buckets.nextLoadAt();
    }

    /** Messages in far buckets (not tracked one by one). */
    long farCount() {
        return buckets.farCount();
    }

    /** Deletes the buckets before {@code now}'s that hold no tracked message any more. */
    void deleteEmpty(long now) throws IOException {
        buckets.deleteEmptyBefore(bucketOf(now), retry);
    }

    /** Deletes every copy and bucket (the channel is emptied). */
    void deleteAll() throws IOException {
        for (long bucket : retry.buckets()) {
            retry.delete(bucket);
        }
        buckets.clear();
    }

    /** The loaded buckets, in order (for a snapshot). */
    List<Long> loadedList() {
        return buckets.loadedList();
    }

    /** Installs recovered bucket state: the loaded buckets and the far ones with their counts. */
    void restore(Iterable<Long> loaded, Map<Long, Long> far) {
        buckets.markLoaded(loaded);
        far.forEach(buckets::putFar);
    }

    /** Counts recovered entry {@code e} in its bucket if it is held in one. */
    void restored(Entry e) {
        if (!e.inLog()) {
            buckets.live(e.bucket, 1);
        }
    }
}
