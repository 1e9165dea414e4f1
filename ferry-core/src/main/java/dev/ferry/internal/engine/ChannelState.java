package dev.ferry.internal.engine;

import dev.ferry.ChannelStats;
import dev.ferry.DeadLetter;
import dev.ferry.spi.Lease;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel: a cursor into its topic's log plus the messages it tracks one by one (in flight,
 * requeued, deferred). Every state change goes to the channel's journal; messages that would hold
 * old log segments (requeued, deferred, or left behind by the cursor) are copied into the retry
 * store, bucketed by due time, and only buckets coming due soon are held in memory.
 *
 * <p>Delivery order: requeued and due messages first, then the log from the cursor.
 *
 * <p>Threading: every method runs under the owning topic's lock, except the listener list.
 */
final class ChannelState {
    private static final Logger log = LoggerFactory.getLogger(ChannelState.class);

    /** Width of a retry bucket in ms. */
    static final long BUCKET_MILLIS = 10_000;

    /** Buckets this many widths ahead of now are loaded into memory. */
    static final long HORIZON_BUCKETS = 2;

    final String name;
    final boolean ephemeral;
    private final TopicState topic;
    private final Path dir;
    private final FileIo io;
    private final ChannelJournal journal;
    private final RetryStore retry;
    private long generation;

    private long cursorOffset;
    private long cursorSeq;
    private final Map<Long, Entry> entries = new HashMap<>();
    private final TreeMap<Long, Entry> inLog = new TreeMap<>();
    private final ArrayDeque<Entry> ready = new ArrayDeque<>();
    private final EntryHeap inFlightHeap = new EntryHeap();
    private final EntryHeap deferredHeap = new EntryHeap();
    /** Log keys past the recovered cursor that already have a retry copy (a lost journal tail). */
    private final Set<Long> copiedAhead = new HashSet<>();
    /** A deferred message was copied out since the journal was last written. */
    private boolean copiedOut;

    private final TreeSet<Long> loadedBuckets = new TreeSet<>();
    private final TreeMap<Long, Long> farBuckets = new TreeMap<>();
    private final Map<Long, Integer> bucketLive = new HashMap<>();
    private int inFlight;
    private int deferred;
    private long messageCount;
    private long requeueCount;
    private long timeoutCount;
    private long dropCount;
    private boolean paused;
    private DeadLetter deadLetter = DeadLetter.NONE;
    private String deadLetterTopic;
    private long deadLetterCount;
    /** Messages claimed for the dead-letter topic by the last claims, not yet taken by the engine. */
    private List<Lease> claimedDead;

    final List<LocalConsumer> listeners = new CopyOnWriteArrayList<>();

    ChannelState(
            TopicState topic,
            String name,
            boolean ephemeral,
            Path dir,
            FileIo io,
            ChannelJournal journal,
            RetryStore retry,
            long generation) {
        this.topic = topic;
        this.name = name;
        this.ephemeral = ephemeral;
        this.dir = dir;
        this.io = io;
        this.journal = journal;
        this.retry = retry;
        this.generation = generation;
    }

    ChannelJournal journal() {
        return journal;
    }

    RetryStore retry() {
        return retry;
    }

    boolean paused() {
        return paused;
    }

    void setPaused(boolean value) {
        paused = value;
    }

    DeadLetter deadLetter() {
        return deadLetter;
    }

    /** Sets the dead-letter policy; {@code topicName} is its resolved topic (null for NONE). */
    void setDeadLetter(DeadLetter policy, String topicName) {
        deadLetter = policy;
        deadLetterTopic = topicName;
    }

    /**
     * The messages {@link #claim} leased for the dead-letter topic since the last call, or null.
     * The engine appends them there outside the topic's lock, then {@link #deadLettered} or
     * requeues them.
     */
    DeadBatch takeDead() {
        if (claimedDead == null) {
            return null;
        }
        DeadBatch batch = new DeadBatch(deadLetterTopic, deadLetter.maxAttempts(), claimedDead);
        claimedDead = null;
        return batch;
    }

    /** Leases to move to {@code topic}, from a channel whose policy allows {@code maxAttempts}. */
    record DeadBatch(String topic, int maxAttempts, List<Lease> leases) {}

    /** Finishes a message whose copy reached the dead-letter topic; false when the lease is stale. */
    boolean deadLettered(Lease lease) {
        if (!ack(lease)) {
            return false;
        }
        deadLetterCount++;
        return true;
    }

    long cursorOffset() {
        return cursorOffset;
    }

    long cursorSeq() {
        return cursorSeq;
    }

    void setCursor(long offset, long seq) {
        cursorOffset = offset;
        cursorSeq = seq;
    }

    /** The lowest log offset this channel still needs. */
    long floor() {
        return inLog.isEmpty() ? cursorOffset : Math.min(cursorOffset, inLog.firstKey());
    }

    /** Messages ready to deliver: unread log messages plus requeued ones. */
    long depth() {
        return Math.max(0, topic.log().endSeq() - cursorSeq) + ready.size();
    }

    /** When the next timeout or deferral falls due, or Long.MAX_VALUE. */
    long nextDue() {
        long next = Math.min(inFlightHeap.peekTime(), deferredHeap.peekTime());
        if (!farBuckets.isEmpty()) {
            long loadAt = (farBuckets.firstKey() - HORIZON_BUCKETS) * BUCKET_MILLIS;
            next = Math.min(next, loadAt);
        }
        return next;
    }

    static long bucketOf(long dueAt) {
        return Math.floorDiv(dueAt, BUCKET_MILLIS);
    }

    private boolean isFar(long bucket, long now) {
        return bucket > bucketOf(now) + HORIZON_BUCKETS && !loadedBuckets.contains(bucket);
    }

    // ---- delivery -------------------------------------------------------------------------------

    /** Hands out up to {@code max} messages as leases of {@code owner} (null: anonymous). */
    List<Lease> claim(int max, long timeoutMillis, long now, LocalConsumer owner) throws IOException {
        List<Lease> out = new ArrayList<>(Math.min(max, 64));
        if (paused) {
            return out;
        }
        processDue(now);
        while (out.size() < max) {
            Entry e = ready.pollFirst();
            if (e != null) {
                byte[] body = e.body != null ? e.body : loadBody(e);
                if (body == null) {
                    log.error(
                            "topic {} channel {}: message at key {} is missing from storage; dropped",
                            topic.name,
                            name,
                            e.key);
                    forget(e);
                    dropCount++;
                    continue;
                }
                e.body = body;
                if (deadLetter.exhausted(e.attempts)) {
                    // leased like a delivery (so a crash before the move redelivers it), but to the engine
                    if (claimedDead == null) {
                        claimedDead = new ArrayList<>();
                    }
                    claimedDead.add(deliver(e, now, timeoutMillis, null));
                    continue;
                }
                out.add(deliver(e, now, timeoutMillis, owner));
                continue;
            }
            if (topic.paused()) {
                break;
            }
            List<LogRecord> records = topic.log().read(cursorOffset, cursorSeq, max - out.size());
            if (records.isEmpty()) {
                break;
            }
            for (LogRecord r : records) {
                if (!advancePast(r, now)) {
                    continue;
                }
                Entry fresh = new Entry(r.offset());
                fresh.id = r.id();
                fresh.timestamp = r.timestamp();
                fresh.body = r.body();
                entries.put(fresh.key, fresh);
                inLog.put(fresh.key, fresh);
                out.add(deliver(fresh, now, timeoutMillis, owner));
            }
            journal.cursor(cursorOffset, cursorSeq);
        }
        if (!out.isEmpty() || copiedOut || claimedDead != null) {
            // attempts must survive a killed process: the journal reaches the file before delivery;
            // and a retry copy must not outlive its journal record for long
            journal.write();
            copiedOut = false;
        }
        return out;
    }

    /**
     * Moves the cursor past {@code r}. Returns true when {@code r} is a message to deliver now;
     * a deferred one is copied into the retry store instead, and a damaged stretch, or a message
     * whose retry copy survived a lost journal tail, is skipped.
     */
    private boolean advancePast(LogRecord r, long now) throws IOException {
        cursorOffset = r.nextOffset();
        if (r.body() == null) {
            dropCount += Math.max(0, r.seq() - cursorSeq);
            cursorSeq = r.seq();
            return false;
        }
        cursorSeq = r.seq() + 1;
        if (!copiedAhead.isEmpty() && copiedAhead.remove(r.offset())) {
            return false;
        }
        messageCount++;
        if (r.dueAt() > now) {
            deferFromLog(r, now);
            copiedOut = true;
            return false;
        }
        return true;
    }

    private Lease deliver(Entry e, long now, long timeoutMillis, LocalConsumer owner) {
        e.attempts++;
        e.state = Entry.IN_FLIGHT;
        e.deadline = now + timeoutMillis;
        inFlight++;
        inFlightHeap.add(e, e.deadline);
        journal.deliver(e.key, e.attempts);
        // the entry is the lease's handle: no lookup by key, and no box, on the way back
        Lease lease = new Lease(topic.name, name, e, e.id, e.timestamp, e.attempts, e.body);
        e.lease = lease;
        e.owner = owner;
        return lease;
    }

    /** The delivery of {@code e} ended (answered, timed out or dropped): it has no lease any more. */
    private static void endLease(Entry e) {
        e.lease = null;
        e.owner = null;
    }

    /** Tells the owner of an in-flight entry that its lease is gone (once the lock is released). */
    private void leaseLost(Entry e) {
        if (e.owner != null) {
            topic.expired(e.owner, e.lease);
        }
        endLease(e);
    }

    /** Drops every lease in flight, telling their consumers (the channel is emptied or deleted). */
    void dropLeases() {
        for (Entry e = inFlightHeap.poll(); e != null; e = inFlightHeap.poll()) {
            leaseLost(e);
        }
    }

    private byte[] loadBody(Entry e) throws IOException {
        LogRecord r = e.inLog() ? topic.log().readAt(e.key) : retry.read(e.bucket, e.pos);
        return r == null ? null : r.body();
    }

    private void deferFromLog(LogRecord r, long now) throws IOException {
        long bucket = bucketOf(r.dueAt());
        boolean far = isFar(bucket, now);
        if (!far) {
            ensureLoaded(bucket);
        }
        long pos = retry.append(bucket, r.offset(), r.id(), r.timestamp(), r.dueAt(), 0, r.body());
        journal.move(r.offset(), bucket, pos, 0, r.dueAt(), r.id(), r.timestamp());
        if (far) {
            farBuckets.merge(bucket, 1L, Long::sum);
            return;
        }
        Entry e = new Entry(r.offset());
        e.id = r.id();
        e.timestamp = r.timestamp();
        e.bucket = bucket;
        e.pos = pos;
        e.dueAt = r.dueAt();
        trackInBucket(e);
        entries.put(e.key, e);
        defer(e);
    }

    private void defer(Entry e) {
        e.state = Entry.DEFERRED;
        deferred++;
        deferredHeap.add(e, e.dueAt);
    }

    private void trackInBucket(Entry e) throws IOException {
        ensureLoaded(e.bucket);
        bucketLive.merge(e.bucket, 1, Integer::sum);
    }

    /**
     * Makes a bucket tracked one message at a time before anything tracked is written to it, so
     * that recovery knows the bucket's records are accounted for by the journal.
     */
    private void ensureLoaded(long bucket) throws IOException {
        if (loadedBuckets.contains(bucket)) {
            return;
        }
        if (farBuckets.remove(bucket) != null) {
            loadBucket(bucket);
        } else {
            loadedBuckets.add(bucket);
            journal.loaded(bucket);
        }
    }

    /** Removes an entry entirely (finished or dropped). */
    private void forget(Entry e) {
        entries.remove(e.key);
        inFlightHeap.remove(e);
        if (deferredHeap.size() > 0 && e.state == Entry.DEFERRED) {
            deferredHeap.remove(e);
            deferred--;
        }
        if (e.inLog()) {
            inLog.remove(e.key);
        } else {
            bucketLive.merge(e.bucket, -1, Integer::sum);
        }
        e.body = null;
    }

    /** The entry of a lease this channel handed out and still holds in flight, or null (stale). */
    private Entry leased(Lease lease) {
        if (!(lease.handle() instanceof Entry e)
                || e.state != Entry.IN_FLIGHT
                || e.attempts != lease.attempts()
                || entries.get(e.key) != e) {
            return null;
        }
        return e;
    }

    boolean ack(Lease lease) {
        Entry e = leased(lease);
        if (e == null) {
            return false;
        }
        inFlight--;
        endLease(e);
        forget(e);
        journal.finish(e.key);
        return true;
    }

    /** Requeues a leased message; true when it is ready at once (listeners should hear). */
    Boolean nack(Lease lease, long delayMillis, long now) throws IOException {
        Entry e = leased(lease);
        if (e == null) {
            return null;
        }
        inFlight--;
        requeueCount++;
        inFlightHeap.remove(e);
        endLease(e);
        if (delayMillis <= 0) {
            e.state = Entry.READY;
            e.dueAt = 0;
            ready.addLast(e);
            journal.requeue(e.key, 0);
            return Boolean.TRUE;
        }
        e.dueAt = now + delayMillis;
        e.state = Entry.DEFERRED;
        if (e.inLog()) {
            moveToRetry(e, bucketOf(e.dueAt), now);
            if (!entries.containsKey(e.key)) {
                return Boolean.FALSE; // went to a far bucket
            }
        } else {
            journal.requeue(e.key, e.dueAt);
        }
        defer(e);
        return Boolean.FALSE;
    }

    boolean extend(Lease lease, long timeoutMillis, long now) {
        Entry e = leased(lease);
        if (e == null) {
            return false;
        }
        e.deadline = now + timeoutMillis;
        inFlightHeap.change(e, e.deadline);
        return true;
    }

    /**
     * Copies a log-held entry into retry bucket {@code bucket}. An entry whose bucket is far ahead
     * stops being tracked in memory.
     */
    private void moveToRetry(Entry e, long bucket, long now) throws IOException {
        byte[] body = e.body != null ? e.body : loadBody(e);
        if (body == null) {
            log.error(
                    "topic {} channel {}: message at key {} is missing from the log; dropped", topic.name, name, e.key);
            return;
        }
        boolean far = isFar(bucket, now) && e.state != Entry.IN_FLIGHT;
        if (!far) {
            ensureLoaded(bucket);
        }
        long pos = retry.append(bucket, e.key, e.id, e.timestamp, e.dueAt, e.attempts, body);
        journal.move(e.key, bucket, pos, e.attempts, e.dueAt, e.id, e.timestamp);
        inLog.remove(e.key);
        e.bucket = bucket;
        e.pos = pos;
        if (far) {
            entries.remove(e.key);
            e.body = null;
            farBuckets.merge(bucket, 1L, Long::sum);
            return;
        }
        bucketLive.merge(bucket, 1, Integer::sum);
    }

    // ---- timers and housekeeping ------------------------------------------------------------------

    /**
     * Times out expired deliveries, readies due deferrals, loads buckets coming due.
     *
     * @return whether anything became ready
     */
    boolean processDue(long now) throws IOException {
        boolean readied = false;
        while (!farBuckets.isEmpty() && farBuckets.firstKey() <= bucketOf(now) + HORIZON_BUCKETS) {
            loadBucket(farBuckets.pollFirstEntry().getKey());
        }
        while (inFlightHeap.peekTime() <= now) {
            Entry e = inFlightHeap.poll();
            inFlight--;
            timeoutCount++;
            leaseLost(e);
            e.state = Entry.READY;
            ready.addLast(e);
            readied = true;
        }
        while (deferredHeap.peekTime() <= now) {
            Entry e = deferredHeap.poll();
            deferred--;
            e.state = Entry.READY;
            ready.addLast(e);
            readied = true;
        }
        return readied;
    }

    private void loadBucket(long bucket) throws IOException {
        List<LogRecord> records = retry.readAll(bucket);
        loadedBuckets.add(bucket);
        journal.loaded(bucket);
        for (LogRecord r : records) {
            if (entries.containsKey(r.seq())) {
                continue;
            }
            Entry e = Entry.fromRetryCopy(r, bucket);
            bucketLive.merge(bucket, 1, Integer::sum);
            entries.put(e.key, e);
            defer(e);
        }
    }

    /**
     * Copies entries that the cursor has left a segment behind into the retry store, so they do not
     * hold old segments, and deletes retry buckets nothing refers to any more.
     */
    void housekeep(long now) throws IOException {
        long cursorSegment = topic.log().segmentBaseOf(cursorOffset);
        while (!inLog.isEmpty() && inLog.firstKey() < cursorSegment) {
            Entry e = inLog.firstEntry().getValue();
            long due = e.state == Entry.DEFERRED ? e.dueAt : now;
            moveToRetry(e, bucketOf(Math.max(due, now)), now);
        }
        long current = bucketOf(now);
        Iterator<Long> it = loadedBuckets.iterator();
        while (it.hasNext()) {
            long b = it.next();
            if (b >= current) {
                break;
            }
            if (bucketLive.getOrDefault(b, 0) <= 0) {
                retry.delete(b);
                bucketLive.remove(b);
                it.remove();
            }
        }
        if (journal.size() > topic.config().journalSnapshotBytes()) {
            snapshot();
        }
    }

    /** Moves entries held in the log below {@code offset} out of it, before the log drops it. */
    void evacuateBefore(long offset, long now) throws IOException {
        while (!inLog.isEmpty() && inLog.firstKey() < offset) {
            Entry e = inLog.firstEntry().getValue();
            long due = e.state == Entry.DEFERRED ? e.dueAt : now;
            moveToRetry(e, bucketOf(Math.max(due, now)), now);
        }
    }

    /** Moves the cursor up to the log's start after old segments were dropped; counts the loss. */
    void clampCursor() {
        TopicLog topicLog = topic.log();
        if (cursorOffset < topicLog.startOffset()) {
            dropCount += Math.max(0, topicLog.startSeq() - cursorSeq);
            cursorOffset = topicLog.startOffset();
            cursorSeq = topicLog.startSeq();
            journal.cursor(cursorOffset, cursorSeq);
        }
    }

    /** Drops up to {@code count} of the oldest ready messages (depth limits). */
    void dropOldest(long count, long now) throws IOException {
        while (count > 0 && !ready.isEmpty()) {
            Entry e = ready.pollFirst();
            forget(e);
            journal.finish(e.key);
            dropCount++;
            count--;
        }
        while (count > 0) {
            List<LogRecord> records = topic.log().read(cursorOffset, cursorSeq, (int) Math.min(count, 4096));
            if (records.isEmpty()) {
                break;
            }
            for (LogRecord r : records) {
                if (advancePast(r, now)) {
                    dropCount++;
                    count--;
                }
                if (count == 0) {
                    break;
                }
            }
            journal.cursor(cursorOffset, cursorSeq);
        }
    }

    /** Drops every message. */
    void empty() throws IOException {
        for (long bucket : retry.buckets()) {
            retry.delete(bucket);
        }
        dropCount += depth() + inFlight + deferredCount();
        dropLeases();
        entries.clear();
        copiedAhead.clear();
        inLog.clear();
        ready.clear();
        inFlightHeap.clear();
        deferredHeap.clear();
        loadedBuckets.clear();
        farBuckets.clear();
        bucketLive.clear();
        inFlight = 0;
        deferred = 0;
        cursorOffset = topic.log().endOffset();
        cursorSeq = topic.log().endSeq();
        journal.emptied();
        journal.cursor(cursorOffset, cursorSeq);
        journal.write();
    }

    /** Messages tracked one by one in memory (for tests of what stays on disk only). */
    int trackedCount() {
        return entries.size();
    }

    long deferredCount() {
        long far = 0;
        for (long n : farBuckets.values()) {
            far += n;
        }
        return deferred + far;
    }

    /** Statistics; deferred publishes not yet read count as deferred, not as depth (as nsqd). */
    ChannelStats stats(int consumers, long now) {
        long unreadDeferred = topic.deferredAhead(cursorSeq, now);
        return new ChannelStats(
                name,
                Math.max(0, depth() - unreadDeferred),
                inFlight,
                deferredCount() + unreadDeferred,
                messageCount,
                requeueCount,
                timeoutCount,
                dropCount,
                consumers,
                paused,
                ephemeral,
                deadLetter,
                deadLetterCount);
    }

    // ---- snapshots and recovery ---------------------------------------------------------------

    /** Writes a snapshot of the current state and starts a new journal generation. */
    void snapshot() throws IOException {
        if (journal == ChannelJournal.NONE) {
            return;
        }
        journal.write();
        List<Snapshot.Item> items = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            long due = e.state == Entry.DEFERRED ? e.dueAt : 0;
            items.add(new Snapshot.Item(e.key, e.id, e.timestamp, e.attempts, due, e.bucket, e.pos));
        }
        long next = generation + 1;
        new Snapshot(
                        next,
                        cursorOffset,
                        cursorSeq,
                        messageCount,
                        requeueCount,
                        timeoutCount,
                        dropCount,
                        new ArrayList<>(loadedBuckets),
                        items)
                .write(dir, io);
        journal.rotate(next);
        generation = next;
        for (Path file : FileJournal.files(dir)) {
            if (FileJournal.generationOf(file) < next) {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
    }

    /**
     * Rebuilds the state from the snapshot and journals in the channel's directory. Messages that
     * were in flight come back ready, with the attempts they had.
     */
    void recover(long now) throws IOException {
        ChannelRecovery.State state = ChannelRecovery.read(dir, retry);
        cursorOffset = state.cursorOffset;
        cursorSeq = state.cursorSeq;
        messageCount = state.messageCount;
        requeueCount = state.requeueCount;
        timeoutCount = state.timeoutCount;
        dropCount = state.dropCount;
        loadedBuckets.addAll(state.loadedBuckets);
        entries.putAll(state.entries);
        TopicLog topicLog = topic.log();
        // a torn journal may hold deliveries whose cursor record was lost
        if (state.maxLogKey >= cursorOffset) {
            LogRecord last = topicLog.readAt(state.maxLogKey);
            if (last != null) {
                cursorOffset = last.nextOffset();
                cursorSeq = last.seq() + 1;
            }
        }
        clampCursor();
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.inLog()) {
                LogRecord r = topicLog.readAt(e.key);
                if (r == null) {
                    log.error(
                            "topic {} channel {}: message at log offset {} is gone from the log; dropped",
                            topic.name,
                            name,
                            e.key);
                    dropCount++;
                    it.remove();
                    continue;
                }
                e.id = r.id();
                e.timestamp = r.timestamp();
                inLog.put(e.key, e);
            } else {
                bucketLive.merge(e.bucket, 1, Integer::sum);
                if (e.key >= cursorOffset) {
                    copiedAhead.add(e.key);
                }
            }
            if (e.dueAt > now) {
                defer(e);
            } else {
                e.state = Entry.READY;
                ready.addLast(e);
            }
        }
        List<Entry> ordered = new ArrayList<>(ready);
        ordered.sort((a, b) -> Long.compare(a.key, b.key));
        ready.clear();
        ready.addAll(ordered);
        SortedSet<Long> onDisk = retry.buckets();
        for (long bucket : onDisk) {
            if (!loadedBuckets.contains(bucket)) {
                Set<Long> keys = new HashSet<>();
                for (LogRecord r : retry.readAll(bucket)) {
                    keys.add(r.seq());
                    if (r.seq() >= cursorOffset) {
                        copiedAhead.add(r.seq());
                    }
                }
                farBuckets.put(bucket, (long) keys.size());
            }
        }
        snapshot();
    }
}
