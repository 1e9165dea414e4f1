package dev.ferry.internal.engine;

import dev.ferry.ChannelStats;
import dev.ferry.DeadLetter;
import dev.ferry.spi.Lease;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel of a topic: where it reads the topic's log ({@link ChannelLogReader}), the messages
 * it tracks one by one ({@link ChannelEntries}), those waiting for a delivery ({@link
 * WaitingEntries}), its deliveries ({@link ChannelLeases}) and its retry copies ({@link
 * RetryCopies}). This class ties those parts together for delivery, answers, timers and
 * housekeeping; every state change goes to the channel's journal. Writing snapshots is {@link
 * ChannelSnapshots}' job, reading the state back after a restart {@link ChannelRecovery}'s.
 *
 * <p>Delivery order: requeued and due messages first, then the log from the cursor.
 *
 * <p>Threading: every method runs under the owning topic's lock, except the listener list.
 */
final class ChannelState {
    private static final Logger log = LoggerFactory.getLogger(ChannelState.class);
    /** The most leases one claim's list is made for at first (a claim may ask for any number). */
    private static final int MAX_PRESIZED_CLAIM = 1024;

    final String name;
    final boolean ephemeral;
    private final TopicState topic;
    private final Path dir;
    private final ChannelJournal journal;
    private final RetryStore retry;
    private final ChannelSnapshots snapshots;
    /** What recovery and reads found damaged in the channel's files (its retry store counts here too). */
    private final DamageCounts damage;

    private final ChannelCounters counters = new ChannelCounters();
    private final ChannelEntries entries = new ChannelEntries();
    private final WaitingEntries waiting = new WaitingEntries();
    private final RetryCopies copies;
    private final ChannelLogReader reader;
    private final ChannelLeases leases;
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
        this.copies = new RetryCopies(topic, name, retry, journal, entries, waiting);
        this.reader = new ChannelLogReader(topic, journal, counters, copies);
        this.leases = new ChannelLeases(topic, name, journal, entries);
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
        return reader.offset();
    }

    long cursorSeq() {
        return reader.seq();
    }

    void setCursor(long offset, long seq) {
        reader.moveTo(offset, seq);
    }

    /** The lowest log offset this channel still needs. */
    long floor() {
        return Math.min(reader.offset(), entries.lowestInLog());
    }

    /** Messages ready to deliver: unread log messages (up to a paused topic's hold) plus requeued ones. */
    long depth() {
        return reader.unread() + waiting.readyCount();
    }

    /** When the next timeout or deferral falls due, or Long.MAX_VALUE. */
    long nextDue() {
        long next = Math.min(leases.nextDeadline(), waiting.nextDue());
        return Math.min(next, copies.nextLoadAt());
    }

    // ---- delivery -------------------------------------------------------------------------------

    /** Hands out up to {@code max} messages as leases of {@code owner} (null: anonymous). */
    List<Lease> claim(int max, long timeoutMillis, long now, LocalConsumer owner) throws IOException {
        // sized for the whole claim (up to a bound): a busy consumer's claims take hundreds at a time
        List<Lease> out = new ArrayList<>(Math.min(max, MAX_PRESIZED_CLAIM));
        if (paused) {
            return out;
        }
        processDue(now);
        while (out.size() < max) {
            Entry e = waiting.peekReady();
            if (e != null) {
                // taken off the queue only once its body is read: a failed read leaves it ready
                byte[] body = e.body != null ? e.body : copies.loadBody(e);
                waiting.pollReady();
                if (body == null) {
                    log.error(
                            "topic {} channel {}: message at key {} is missing from storage; dropped",
                            topic.name,
                            name,
                            e.key);
                    drop(e);
                    continue;
                }
                e.body = body;
                if (deadLetters.exhausted(e.attempts)) {
                    // leased like a delivery (so a crash before the move redelivers it), but to the engine
                    deadLetters.claimed(leases.deliver(e, now, timeoutMillis, null));
                    continue;
                }
                out.add(leases.deliver(e, now, timeoutMillis, owner));
                continue;
            }
            List<LogRecord> records = reader.read(max - out.size());
            if (records.isEmpty()) {
                break;
            }
            for (LogRecord r : records) {
                if (!reader.advancePast(r, now)) {
                    continue;
                }
                Entry fresh = new Entry(r.offset());
                fresh.id = r.id();
                fresh.timestamp = r.timestamp();
                fresh.body = r.body();
                entries.track(fresh);
                out.add(leases.deliver(fresh, now, timeoutMillis, owner));
            }
            reader.journal();
        }
        boolean copiedOut = copies.takeCopiedOut();
        if (!out.isEmpty() || copiedOut || deadLetters.hasClaimed()) {
            // attempts must survive a killed process: the journal reaches the file before delivery;
            // and a retry copy must not outlive its journal record for long
            journal.write();
        }
        return out;
    }

    /** Drops every lease in flight, telling their consumers (the channel is emptied or deleted). */
    void dropLeases() {
        leases.dropAll();
    }

    /** Drops a message (unreadable, or over a depth limit): counted, and journaled as finished. */
    private void drop(Entry e) {
        forget(e);
        counters.drops++;
        journal.finish(e.key);
    }

    /** Removes an entry entirely (finished or dropped). */
    private void forget(Entry e) {
        entries.forget(e);
        leases.discard(e);
        waiting.forget(e);
        copies.released(e);
        e.body = null;
    }

    boolean ack(Lease lease) {
        Entry e = leases.leased(lease);
        if (e == null) {
            return false;
        }
        leases.answered(e);
        forget(e);
        journal.finish(e.key);
        return true;
    }

    /** Requeues a leased message; true when it is ready at once (listeners should hear). */
    Boolean nack(Lease lease, long delayMillis, long now) throws IOException {
        Entry e = leases.leased(lease);
        if (e == null) {
            return null;
        }
        leases.answered(e);
        counters.requeues++;
        if (delayMillis <= 0) {
            e.dueAt = 0;
            waiting.addReady(e);
            journal.requeue(e.key, 0);
            return Boolean.TRUE;
        }
        e.dueAt = now + delayMillis;
        e.state = Entry.DEFERRED;
        if (e.inLog()) {
            RetryCopies.Move moved = copies.moveToRetry(e, RetryCopies.bucketOf(e.dueAt), now);
            if (moved == RetryCopies.Move.UNREADABLE) {
                drop(e);
                return Boolean.FALSE;
            }
            if (moved == RetryCopies.Move.FAR) {
                return Boolean.FALSE;
            }
        } else {
            journal.requeue(e.key, e.dueAt);
        }
        waiting.defer(e);
        return Boolean.FALSE;
    }

    boolean extend(Lease lease, long timeoutMillis, long now) {
        Entry e = leases.leased(lease);
        if (e == null) {
            return false;
        }
        leases.extend(e, timeoutMillis, now);
        return true;
    }

    // ---- timers and housekeeping ------------------------------------------------------------------

    /**
     * Times out expired deliveries, readies due deferrals, loads buckets coming due.
     *
     * @return whether anything became ready
     */
    boolean processDue(long now) throws IOException {
        boolean readied = false;
        copies.loadDue(now);
        for (Entry e = leases.pollExpired(now); e != null; e = leases.pollExpired(now)) {
            counters.timeouts++;
            waiting.addReady(e);
            readied = true;
        }
        while (waiting.readyNextDue(now)) {
            readied = true;
        }
        return readied;
    }

    /**
     * Copies entries that the cursor has left a segment behind into the retry store, so they do not
     * hold old segments, deletes retry buckets nothing refers to any more, and gives back memory
     * the channel's bookkeeping held since a peak.
     */
    void housekeep(long now) throws IOException {
        evacuateBefore(topic.log().segmentBaseOf(reader.offset()), now);
        copies.deleteEmpty(now);
        entries.trim();
        leases.trim();
        if (journal.size() > topic.config().journalSnapshotBytes()) {
            // the state is captured here; its fsync and renames happen off the topic's lock
            snapshots.writeInBackground(this::snapshotState, topic.snapshotWriter());
        }
    }

    /** Moves entries held in the log below {@code offset} out of it, before the log drops it. */
    void evacuateBefore(long offset, long now) throws IOException {
        for (Entry e = entries.firstInLogBelow(offset); e != null; e = entries.firstInLogBelow(offset)) {
            if (copies.moveOutOfLog(e, now) == RetryCopies.Move.UNREADABLE) {
                if (e.state == Entry.READY) {
                    waiting.removeReady(e); // else a claim would find it again, and drop it twice
                }
                drop(e); // else the next round would find it again, forever
            }
        }
    }

    /** Moves the cursor up to the log's start after old segments were dropped; counts the loss. */
    void clampCursor() {
        reader.clampToLogStart();
    }

    /** Drops up to {@code count} of the oldest ready messages (depth limits). */
    void dropOldest(long count, long now) throws IOException {
        while (count > 0 && waiting.hasReady()) {
            drop(waiting.pollReady());
            count--;
        }
        while (count > 0) {
            List<LogRecord> records = reader.read((int) Math.min(count, 4096));
            if (records.isEmpty()) {
                break;
            }
            for (LogRecord r : records) {
                if (reader.advancePast(r, now)) {
                    counters.drops++;
                    count--;
                }
                if (count == 0) {
                    break;
                }
            }
            reader.journal();
        }
    }

    /** Drops every message. */
    void empty() throws IOException {
        long dropped = depth() + leases.count() + deferredCount();
        copies.deleteAll();
        counters.drops += dropped;
        leases.dropAll();
        entries.clear();
        waiting.clear();
        leases.clear();
        reader.skipToEnd();
        journal.emptied();
        reader.journal();
        journal.write();
    }

    /** Messages tracked one by one in memory (for tests of what stays on disk only). */
    int trackedCount() {
        return entries.size();
    }

    long deferredCount() {
        return waiting.deferredCount() + copies.farCount();
    }

    /**
     * Statistics; deferred publishes not yet read count as deferred, not as depth (as nsqd). The
     * message count counts every message that entered the channel, as nsqd's does: those read from
     * the log so far plus those waiting for the cursor (a backlog is counted before it is delivered).
     */
    ChannelStats stats(int consumers, long now) {
        long unreadDeferred = topic.unreadDeferred(reader.seq(), now);
        return new ChannelStats(
                name,
                Math.max(0, depth() - unreadDeferred),
                leases.count(),
                deferredCount() + unreadDeferred,
                counters.messages + reader.unread(),
                counters.requeues,
                counters.timeouts,
                counters.drops,
                consumers,
                paused,
                ephemeral,
                deadLetters.policy(),
                deadLetters.count(),
                damage.stats());
    }

    // ---- snapshots and recovery ---------------------------------------------------------------

    /**
     * Writes a snapshot of the current state and starts a new journal generation, all on this thread
     * (close, recovery, creation); waits first for a snapshot housekeeping is writing in the background.
     */
    void snapshot() throws IOException {
        snapshots.write(this::snapshotState);
    }

    /** Waits until a snapshot housekeeping started is on disk (before the channel's files close). */
    void awaitSnapshotWritten() throws IOException {
        snapshots.awaitWritten();
    }

    /** The channel's state now, as the snapshot that starts journal generation {@code next}. */
    private Snapshot snapshotState(long next) {
        List<Snapshot.Item> items = new ArrayList<>(entries.size());
        entries.forEach(e -> {
            long due = e.state == Entry.DEFERRED ? e.dueAt : 0;
            items.add(new Snapshot.Item(e.key, e.id, e.timestamp, e.attempts, due, e.bucket, e.pos));
        });
        return new Snapshot(
                next,
                reader.offset(),
                reader.seq(),
                counters.messages,
                counters.requeues,
                counters.timeouts,
                counters.drops,
                copies.loadedList(),
                items);
    }

    /**
     * Rebuilds the state from the snapshot and journals in the channel's directory (read and
     * checked by {@link ChannelRecovery}), then writes a fresh snapshot. Messages that were in
     * flight come back ready, with the attempts they had.
     */
    void recover(long now) throws IOException {
        ChannelRecovery.Restored state =
                ChannelRecovery.restore(dir, retry, topic.log(), topic.name, name, now, damage);
        reader.moveTo(state.cursorOffset(), state.cursorSeq());
        counters.messages = state.messageCount();
        counters.requeues = state.requeueCount();
        counters.timeouts = state.timeoutCount();
        counters.drops = state.dropCount();
        copies.restore(state.loadedBuckets(), state.farBuckets());
        // in key order, so that those read from the log join the log-order ring at its end
        List<Entry> restored = new ArrayList<>(state.entries());
        restored.sort(Comparator.comparingLong(e -> e.key));
        for (Entry e : restored) {
            entries.track(e);
            copies.restored(e);
        }
        state.copiedAhead().forEach(reader::copiedAhead);
        state.ready().forEach(waiting::addReady);
        state.deferred().forEach(waiting::defer);
        snapshot();
    }
}
