package dev.ferry.internal.engine;

import dev.ferry.ChannelStats;
import dev.ferry.DeadLetter;
import dev.ferry.spi.Lease;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectRBTreeMap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel: a {@link ChannelCursor} into its topic's log plus the messages it tracks one by one
 * (in flight in its {@link InFlightTable}, requeued, deferred). Every state change goes to the
 * channel's journal; messages that would hold old log segments (requeued, deferred, or left behind
 * by the cursor) are copied into the retry store, bucketed by due time, and only buckets coming due
 * soon are held in memory ({@link RetryBuckets}). This class ties those parts together: delivery,
 * answers, timers and housekeeping. Writing snapshots is {@link ChannelSnapshots}' job, reading the
 * state back after a restart {@link ChannelRecovery}'s.
 *
 * <p>Delivery order: requeued and due messages first, then the log from the cursor.
 *
 * <p>Threading: every method runs under the owning topic's lock, except the listener list.
 */
final class ChannelState {
    /** The in-memory entries a channel is sized for before its map grows. */
    private static final int EXPECTED_ENTRIES = 256;

    private static final Logger log = LoggerFactory.getLogger(ChannelState.class);

    final String name;
    final boolean ephemeral;
    private final TopicState topic;
    private final Path dir;
    private final ChannelJournal journal;
    private final RetryStore retry;
    private final ChannelSnapshots snapshots;
    /** What recovery and reads found damaged in the channel's files (its retry store counts here too). */
    private final DamageCounts damage;

    private final ChannelCursor cursor = new ChannelCursor();
    /** Every message tracked one by one, by key (its log offset, or its key in the retry store). */
    /*
     * Sized for a few hundred entries from the start: fastutil's open maps shrink when they empty
     * and grow again, so a channel whose claims and acks come in batches would rehash on every batch
     * (seen as 18% of appendClaimAck's throughput); they never shrink below the expected size.
     */
    private final Long2ObjectOpenHashMap<Entry> entries = new Long2ObjectOpenHashMap<>(EXPECTED_ENTRIES);
    /** The tracked messages still read from the log, by offset: the lowest holds the log's floor. */
    private final Long2ObjectRBTreeMap<Entry> inLog = new Long2ObjectRBTreeMap<>();

    private final ArrayDeque<Entry> ready = new ArrayDeque<>();
    private final InFlightTable inFlight = new InFlightTable();
    private final EntryHeap deferredHeap = new EntryHeap();
    /** A deferred message was copied out since the journal was last written. */
    private boolean copiedOut;

    private final RetryBuckets buckets = new RetryBuckets();
    private int deferred;
    private long messageCount;
    private long requeueCount;
    private long timeoutCount;
    private long dropCount;
    private boolean paused;
    private final ChannelDeadLetters deadLetters = new ChannelDeadLetters();

    final List<LocalConsumer> listeners = new CopyOnWriteArrayList<>();

    ChannelState(
            TopicState topic,
            String name,
            boolean ephemeral,
            Path dir,
            FileIo io,
            ChannelJournal journal,
            RetryStore retry,
            long generation,
            DamageCounts damage) {
        this.topic = topic;
        this.name = name;
        this.ephemeral = ephemeral;
        this.dir = dir;
        this.journal = journal;
        this.retry = retry;
        this.snapshots = new ChannelSnapshots(dir, io, journal, generation);
        this.damage = damage;
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
        return deadLetters.policy();
    }

    /** Sets the dead-letter policy; {@code topicName} is its resolved topic (null for NONE). */
    void setDeadLetter(DeadLetter policy, String topicName) {
        deadLetters.set(policy, topicName);
    }

    /**
     * The messages {@link #claim} leased for the dead-letter topic since the last call, or null.
     * The engine appends them there outside the topic's lock, then {@link #deadLettered} or
     * requeues them.
     */
    DeadBatch takeDead() {
        return deadLetters.take();
    }

    /** Leases to move to {@code topic}, from a channel whose policy allows {@code maxAttempts}. */
    record DeadBatch(String topic, int maxAttempts, List<Lease> leases) {}

    /** Finishes a message whose copy reached the dead-letter topic; false when the lease is stale. */
    boolean deadLettered(Lease lease) {
        if (!ack(lease)) {
            return false;
        }
        deadLetters.moved();
        return true;
    }

    long cursorOffset() {
        return cursor.offset();
    }

    long cursorSeq() {
        return cursor.seq();
    }

    void setCursor(long offset, long seq) {
        cursor.moveTo(offset, seq);
    }

    /** The lowest log offset this channel still needs. */
    long floor() {
        return inLog.isEmpty() ? cursor.offset() : Math.min(cursor.offset(), inLog.firstLongKey());
    }

    /** Messages ready to deliver: unread log messages (up to a paused topic's hold) plus requeued ones. */
    long depth() {
        return topic.unread(cursor.seq()) + ready.size();
    }

    /** When the next timeout or deferral falls due, or Long.MAX_VALUE. */
    long nextDue() {
        long next = Math.min(inFlight.nextDeadline(), deferredHeap.peekTime());
        return Math.min(next, buckets.nextLoadAt());
    }

    private static long bucketOf(long dueAt) {
        return RetryBuckets.bucketOf(dueAt);
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
                if (deadLetters.exhausted(e.attempts)) {
                    // leased like a delivery (so a crash before the move redelivers it), but to the engine
                    deadLetters.claimed(deliver(e, now, timeoutMillis, null));
                    continue;
                }
                out.add(deliver(e, now, timeoutMillis, owner));
                continue;
            }
            List<LogRecord> records = topic.readFor(cursor, max - out.size());
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
            journal.cursor(cursor.offset(), cursor.seq());
        }
        if (!out.isEmpty() || copiedOut || deadLetters.hasClaimed()) {
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
        if (r.body() == null) {
            // lost to damage: they had entered the channel (message_count) and are dropped
            messageCount += Math.max(0, r.seq() - cursor.seq());
            dropCount += Math.max(0, r.seq() - cursor.seq());
            cursor.moveTo(r.nextOffset(), r.seq());
            return false;
        }
        cursor.moveTo(r.nextOffset(), r.seq() + 1);
        if (cursor.takeCopiedAhead(r.offset())) {
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
        inFlight.add(e, now + timeoutMillis);
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
        for (Entry e = inFlight.pollDropped(); e != null; e = inFlight.pollDropped()) {
            leaseLost(e);
        }
    }

    private byte[] loadBody(Entry e) throws IOException {
        LogRecord r = e.inLog() ? topic.log().readAt(e.key) : retry.read(e.bucket, e.pos);
        return r == null ? null : r.body();
    }

    private void deferFromLog(LogRecord r, long now) throws IOException {
        long bucket = bucketOf(r.dueAt());
        boolean far = buckets.isFar(bucket, now);
        if (!far) {
            ensureLoaded(bucket);
        }
        long pos = retry.append(bucket, r.offset(), r.id(), r.timestamp(), r.dueAt(), 0, r.body());
        journal.move(r.offset(), bucket, pos, 0, r.dueAt(), r.id(), r.timestamp());
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

    /** Removes an entry entirely (finished or dropped). */
    private void forget(Entry e) {
        entries.remove(e.key);
        inFlight.discard(e);
        if (deferredHeap.size() > 0 && e.state == Entry.DEFERRED) {
            deferredHeap.remove(e);
            deferred--;
        }
        if (e.inLog()) {
            inLog.remove(e.key);
        } else {
            buckets.live(e.bucket, -1);
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
        inFlight.answered(e);
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
        inFlight.answered(e);
        requeueCount++;
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
        inFlight.extend(e, now + timeoutMillis);
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
        boolean far = buckets.isFar(bucket, now) && e.state != Entry.IN_FLIGHT;
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
            buckets.addFar(bucket, 1);
            return;
        }
        buckets.live(bucket, 1);
    }

    // ---- timers and housekeeping ------------------------------------------------------------------

    /**
     * Times out expired deliveries, readies due deferrals, loads buckets coming due.
     *
     * @return whether anything became ready
     */
    boolean processDue(long now) throws IOException {
        boolean readied = false;
        while (buckets.hasFarDueBy(now)) {
            loadBucket(buckets.pollFirstFar());
        }
        for (Entry e = inFlight.pollExpired(now); e != null; e = inFlight.pollExpired(now)) {
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
        buckets.markLoaded(bucket);
        journal.loaded(bucket);
        for (LogRecord r : records) {
            if (entries.containsKey(r.seq())) {
                continue;
            }
            Entry e = Entry.fromRetryCopy(r, bucket);
            buckets.live(bucket, 1);
            entries.put(e.key, e);
            defer(e);
        }
    }

    /**
     * Copies entries that the cursor has left a segment behind into the retry store, so they do not
     * hold old segments, and deletes retry buckets nothing refers to any more.
     */
    void housekeep(long now) throws IOException {
        long cursorSegment = topic.log().segmentBaseOf(cursor.offset());
        while (!inLog.isEmpty() && inLog.firstLongKey() < cursorSegment) {
            Entry e = inLog.get(inLog.firstLongKey());
            long due = e.state == Entry.DEFERRED ? e.dueAt : now;
            moveToRetry(e, bucketOf(Math.max(due, now)), now);
        }
        buckets.deleteEmptyBefore(bucketOf(now), retry);
        if (journal.size() > topic.config().journalSnapshotBytes()) {
            snapshot();
        }
    }

    /** Moves entries held in the log below {@code offset} out of it, before the log drops it. */
    void evacuateBefore(long offset, long now) throws IOException {
        while (!inLog.isEmpty() && inLog.firstLongKey() < offset) {
            Entry e = inLog.get(inLog.firstLongKey());
            long due = e.state == Entry.DEFERRED ? e.dueAt : now;
            moveToRetry(e, bucketOf(Math.max(due, now)), now);
        }
    }

    /** Moves the cursor up to the log's start after old segments were dropped; counts the loss. */
    void clampCursor() {
        TopicLog topicLog = topic.log();
        if (cursor.offset() < topicLog.startOffset()) {
            messageCount += Math.max(0, topicLog.startSeq() - cursor.seq());
            dropCount += Math.max(0, topicLog.startSeq() - cursor.seq());
            cursor.moveTo(topicLog.startOffset(), topicLog.startSeq());
            journal.cursor(cursor.offset(), cursor.seq());
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
            List<LogRecord> records = topic.readFor(cursor, (int) Math.min(count, 4096));
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
            journal.cursor(cursor.offset(), cursor.seq());
        }
    }

    /** Drops every message. */
    void empty() throws IOException {
        for (long bucket : retry.buckets()) {
            retry.delete(bucket);
        }
        dropCount += depth() + inFlight.count() + deferredCount();
        // what the cursor jumps over had entered the channel: nsqd counts it in message_count
        messageCount += topic.unread(cursor.seq());
        dropLeases();
        entries.clear();
        cursor.clearCopiedAhead();
        inLog.clear();
        ready.clear();
        inFlight.clear();
        deferredHeap.clear();
        buckets.clear();
        deferred = 0;
        // a paused topic's held messages are not the channel's to drop
        cursor.moveTo(topic.readEndOffset(), topic.readEndSeq());
        journal.emptied();
        journal.cursor(cursor.offset(), cursor.seq());
        journal.write();
    }

    /** Messages tracked one by one in memory (for tests of what stays on disk only). */
    int trackedCount() {
        return entries.size();
    }

    long deferredCount() {
        return deferred + buckets.farCount();
    }

    /**
     * Statistics; deferred publishes not yet read count as deferred, not as depth (as nsqd). The
     * message count counts every message that entered the channel, as nsqd's does: those read from
     * the log so far plus those waiting for the cursor (a backlog is counted before it is delivered).
     */
    ChannelStats stats(int consumers, long now) {
        long unreadDeferred = topic.unreadDeferred(cursor.seq(), now);
        return new ChannelStats(
                name,
                Math.max(0, depth() - unreadDeferred),
                inFlight.count(),
                deferredCount() + unreadDeferred,
                messageCount + topic.unread(cursor.seq()),
                requeueCount,
                timeoutCount,
                dropCount,
                consumers,
                paused,
                ephemeral,
                deadLetters.policy(),
                deadLetters.count(),
                damage.stats());
    }

    // ---- snapshots and recovery ---------------------------------------------------------------

    /** Writes a snapshot of the current state and starts a new journal generation. */
    void snapshot() throws IOException {
        snapshots.write(next -> {
            List<Snapshot.Item> items = new ArrayList<>(entries.size());
            for (Entry e : entries.values()) {
                long due = e.state == Entry.DEFERRED ? e.dueAt : 0;
                items.add(new Snapshot.Item(e.key, e.id, e.timestamp, e.attempts, due, e.bucket, e.pos));
            }
            return new Snapshot(
                    next,
                    cursor.offset(),
                    cursor.seq(),
                    messageCount,
                    requeueCount,
                    timeoutCount,
                    dropCount,
                    buckets.loadedList(),
                    items);
        });
    }

    /**
     * Rebuilds the state from the snapshot and journals in the channel's directory (read and
     * checked by {@link ChannelRecovery}), then writes a fresh snapshot. Messages that were in
     * flight come back ready, with the attempts they had.
     */
    void recover(long now) throws IOException {
        ChannelRecovery.Restored state =
                ChannelRecovery.restore(dir, retry, topic.log(), topic.name, name, now, damage);
        cursor.moveTo(state.cursorOffset(), state.cursorSeq());
        messageCount = state.messageCount();
        requeueCount = state.requeueCount();
        timeoutCount = state.timeoutCount();
        dropCount = state.dropCount();
        buckets.markLoaded(state.loadedBuckets());
        for (Entry e : state.entries()) {
            entries.put(e.key, e);
            if (e.inLog()) {
                inLog.put(e.key, e);
            } else {
                buckets.live(e.bucket, 1);
            }
        }
        state.copiedAhead().forEach(cursor::copiedAhead);
        for (Entry e : state.ready()) {
            e.state = Entry.READY;
            ready.addLast(e);
        }
        state.deferred().forEach(this::defer);
        state.farBuckets().forEach(buckets::putFar);
        snapshot();
    }
}
