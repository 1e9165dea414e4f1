package dev.ferry.internal.engine;

import dev.ferry.ChannelStats;
import dev.ferry.DepthPolicy;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.NotFoundException;
import dev.ferry.TopicStats;
import dev.ferry.spi.Lease;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One topic: its log and its channels, all guarded by one lock. Consumers claim and respond under
 * it, and the engine's timer thread for this topic's shard calls {@link #tick} to time out, defer
 * and clean up. Publishers do not wait for it: they queue their publish ({@link #enqueue}) and only
 * try the lock; whichever thread releases the lock writes what is queued (the lock's {@link
 * PublishingLock#unlock()}), so a publish never waits behind a consumer's claim and a consumer
 * never parks behind a publisher's write, and what queued up meanwhile goes in one write.
 *
 * <p>While the topic has no channel, or is paused, it holds its messages from {@code hold} on: they
 * are the topic's, not yet any channel's, as in nsqd's topic queue. The first channel created, or
 * every channel when a pause ends, receives them; a channel created during a pause starts at the
 * hold too. Channels never read past the hold while the topic is paused, and emptying the topic
 * drops what it holds (for channels whose cursor lies before it, as a {@link DroppedStretches
 * stretch} they skip). Publishes are written by its {@link TopicAppender}; this class owns the
 * channels, the hold, the bounds (depth, ephemeral size, retention) and the timers.
 */
final class TopicState {
    final String name;
    final boolean memoryOnly;
    final boolean ephemeral;
    final int shard;
    final ReentrantLock lock = new PublishingLock();
    private final LocalEngine engine;
    private final TopicLog log;
    private final TreeMap<String, ChannelState> channels = new TreeMap<>();
    private final DeferredIndex deferredAhead = new DeferredIndex();
    private final TopicAppender appender;
    private final DroppedStretches dropped = new DroppedStretches();
    private long holdOffset;
    private long holdSeq;
    private boolean paused;
    private boolean deleted;
    private long dropCount;
    private volatile long nextDue = Long.MAX_VALUE;
    /** Leases of registered consumers that expired or were dropped under the lock, to report. */
    private List<LocalConsumer.Expiry> expiries;

    TopicState(LocalEngine engine, String name, boolean memoryOnly, boolean ephemeral, int shard, TopicLog log) {
        this.engine = engine;
        this.name = name;
        this.memoryOnly = memoryOnly;
        this.ephemeral = ephemeral;
        this.shard = shard;
        this.log = log;
        this.holdOffset = log.startOffset();
        this.holdSeq = log.startSeq();
        this.appender = new TopicAppender(engine, this);
    }

    TopicLog log() {
        return log;
    }

    /** Where this topic's channels make their housekeeping snapshots durable, off the topic's lock. */
    java.util.concurrent.Executor snapshotWriter() {
        return engine.snapshotWriter();
    }

    EmbeddedEngineConfig config() {
        return engine.config();
    }

    boolean paused() {
        return paused;
    }

    boolean deleted() {
        return deleted;
    }

    /** Notes a deferred publish found in the log at recovery. */
    void restoreDeferred(long seq, long dueAt) {
        deferredAhead.add(seq, dueAt);
    }

    void restore(boolean paused, long holdOffset, long holdSeq, long lastId) {
        this.paused = paused;
        if (holdOffset >= log.startOffset()) {
            this.holdOffset = holdOffset;
            this.holdSeq = holdSeq;
        }
        appender.restoreLastId(lastId);
    }

    /** The dropped stretches kept with the hold (see {@link DroppedStretches}). */
    DroppedStretches dropped() {
        return dropped;
    }

    /** Whether new messages stay in the topic (from the hold on) rather than reach channels. */
    boolean holding() {
        return paused || channels.isEmpty();
    }

    /** Where channels stop reading the log: the hold while paused, else the log's end. */
    long readEndOffset() {
        return paused ? holdOffset : log.endOffset();
    }

    /** The sequence number at {@link #readEndOffset()}. */
    long readEndSeq() {
        return paused ? holdSeq : log.endSeq();
    }

    /**
     * Reads up to {@code max} records for a channel from its cursor: past dropped stretches (the
     * cursor jumps over them), and not beyond the next stretch or the read end. Lock held.
     */
    List<LogRecord> readFor(ChannelCursor cursor, int max) throws IOException {
        dropped.skip(cursor);
        long limit = dropped.nextStart(cursor.offset(), readEndOffset());
        if (cursor.offset() >= limit) {
            return List.of();
        }
        List<LogRecord> records = log.read(cursor.offset(), cursor.seq(), max);
        int n = 0;
        while (n < records.size() && records.get(n).offset() < limit) {
            n++;
        }
        return n == records.size() ? records : records.subList(0, n);
    }

    /** Messages a channel whose cursor is at {@code seq} has yet to read (its share of the log). */
    long unread(long seq) {
        long end = readEndSeq();
        return Math.max(0, end - seq - dropped.countFrom(seq, end));
    }

    /** Deferred publishes among those {@link #unread} counts that are not due at {@code now}. */
    long unreadDeferred(long seq, long now) {
        long end = readEndSeq();
        if (end <= seq) {
            return 0;
        }
        return Math.max(0, deferredAhead.countPending(seq, end, now) - dropped.deferredFrom(deferredAhead, seq, now));
    }

    long holdOffset() {
        return holdOffset;
    }

    long holdSeq() {
        return holdSeq;
    }

    ChannelState channel(String channel) {
        return channels.get(channel);
    }

    List<ChannelState> channels() {
        return new ArrayList<>(channels.values());
    }

    void addRecovered(ChannelState channel) {
        channels.put(channel.name, channel);
        if (paused && channel.cursorOffset() > holdOffset) {
            // a pause marker older than holds kept for channels: what the channel read was never held
            holdOffset = channel.cursorOffset();
            holdSeq = channel.cursorSeq();
        }
    }

    // ---- publishing -----------------------------------------------------------------------------

    /** Queues a publish for the next group write. Any thread. */
    void enqueue(PendingAppend append) {
        appender.enqueue(append);
    }

    /**
     * Writes queued publishes: whoever tried the lock last while it was taken left theirs queued,
     * and {@link PublishingLock#unlock()} writes them. Any thread; never waits for the lock.
     */
    void writeQueued() {
        if (lock.tryLock()) {
            lock.unlock();
        }
        // else the holder writes them when it lets go (it looks at the queue after its release)
    }

    /**
     * The topic's lock, whose release writes the publishes queued while it was held (one group
     * write) and then tells the publishers and the listening consumers, after the lock is free.
     * A publish queued just as the holder lets go is not stranded: the queue is looked at again
     * after the release, and the lock tried once more; a publisher that failed its try queued
     * before trying, so either it or the holder sees the other.
     */
    private final class PublishingLock extends ReentrantLock {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        @Override
        public void unlock() {
            if (getHoldCount() != 1) {
                super.unlock(); // an inner release: the outermost one writes
                return;
            }
            do {
                List<PendingAppend> group = null;
                List<ChannelState> listening = null;
                try {
                    if (appender.hasQueued()) {
                        long started = System.nanoTime();
                        group = appender.appendQueued();
                        engine.groupWritten(TopicState.this, System.nanoTime() - started);
                        listening = listening();
                    }
                } finally {
                    super.unlock();
                }
                if (group != null) {
                    engine.finishAppends(TopicState.this, group, listening);
                }
            } while (appender.hasQueued() && tryLock());
        }
    }

    /** Notes deferred publishes just appended from {@code firstSeq} on; lock held. */
    void appended(long firstSeq, long[] dueAts, int n) {
        for (int k = 0; k < n; k++) {
            if (dueAts[k] > 0) {
                deferredAhead.add(firstSeq + k, dueAts[k]);
            }
        }
    }

    Iterable<ChannelState> channelsView() {
        return channels.values();
    }

    /** Drops what the depth limits and the ephemeral bound say must go. */
    void applyBounds(long nowMillis) throws IOException {
        EmbeddedEngineConfig config = engine.config();
        for (ChannelState ch : channels.values()) {
            long limit;
            if (ch.journal() == ChannelJournal.NONE && (ch.ephemeral || ephemeral)) {
                limit = config.memQueueSize();
            } else if (config.channelMaxDepth() > 0 && config.depthPolicy() == DepthPolicy.DROP_OLDEST) {
                limit = config.channelMaxDepth();
            } else {
                continue;
            }
            long depth = ch.depth();
            if (depth > limit) {
                ch.dropOldest(depth - limit, nowMillis);
            }
        }
        if (holding() && ephemeral) {
            long excess = log.endSeq() - holdSeq - config.memQueueSize();
            if (excess > 0) {
                advanceHold(excess);
            }
        }
    }

    private void advanceHold(long count) throws IOException {
        long fromOffset = holdOffset;
        long fromSeq = holdSeq;
        while (count > 0) {
            List<LogRecord> records = log.read(holdOffset, holdSeq, (int) Math.min(count, 4096));
            if (records.isEmpty()) {
                break;
            }
            for (LogRecord r : records) {
                holdOffset = r.nextOffset();
                holdSeq = r.body() == null ? r.seq() : r.seq() + 1;
                dropCount++;
                if (--count == 0) {
                    break;
                }
            }
        }
        if (!channels.isEmpty()) {
            // paused: the channels must not read what the topic dropped
            dropped.add(fromOffset, fromSeq, holdOffset, holdSeq);
        }
        freeLog(floor());
    }

    private void freeLog(long floor) throws IOException {
        long before = log.sizeBytes();
        if (log.freeBefore(floor)) {
            engine.disk().addStoredBytes(log.sizeBytes() - before);
        }
        if (!dropped.isEmpty() && dropped.trimBefore(log.startOffset())) {
            engine.storage().writeHold(this);
        }
    }

    /** The channels that have consumers to tell about new messages. */
    List<ChannelState> listening() {
        List<ChannelState> out = new ArrayList<>(channels.size());
        for (ChannelState ch : channels.values()) {
            if (!ch.listeners.isEmpty()) {
                out.add(ch);
            }
        }
        return out;
    }

    // ---- consuming ------------------------------------------------------------------------------

    List<Lease> claim(String channel, int max, long timeoutMillis, LocalConsumer owner) throws IOException {
        ChannelState ch = channels.get(channel);
        if (ch == null) {
            return List.of();
        }
        List<Lease> leases = ch.claim(max, timeoutMillis, engine.clock().millis(), owner);
        scheduleDue(ch.nextDue());
        return leases;
    }

    /** What the last claims on {@code channel} leased for its dead-letter topic, or null. */
    ChannelState.DeadBatch takeDead(String channel) {
        ChannelState ch = channels.get(channel);
        return ch == null ? null : ch.takeDead();
    }

    boolean deadLettered(Lease lease) {
        ChannelState ch = channels.get(lease.channel());
        return ch != null && ch.deadLettered(lease);
    }

    boolean ack(Lease lease) {
        ChannelState ch = channels.get(lease.channel());
        return ch != null && ch.ack(lease);
    }

    /**
     * Acks {@code leases[from, to)}, all of this topic, into {@code answers[from, to)}: as {@link
     * #ack(Lease)}, with the channel looked up once per run of leases of the same channel (a
     * connection's FINs are all of its one channel) instead of once per lease.
     */
    void ack(List<Lease> leases, int from, int to, Boolean[] answers) {
        String name = null;
        ChannelState ch = null;
        for (int k = from; k < to; k++) {
            Lease lease = leases.get(k);
            if (!lease.channel().equals(name)) {
                name = lease.channel();
                ch = channels.get(name);
            }
            answers[k] = ch != null && ch.ack(lease);
        }
    }

    /** Requeues; returns the channel to signal when the message is ready at once, else null. */
    Boolean nack(Lease lease, long delayMillis) throws IOException {
        ChannelState ch = channels.get(lease.channel());
        if (ch == null) {
            return null;
        }
        Boolean readyNow = ch.nack(lease, delayMillis, engine.clock().millis());
        if (readyNow != null && !readyNow) {
            scheduleDue(ch.nextDue());
        }
        return readyNow;
    }

    boolean extend(Lease lease, long timeoutMillis) {
        ChannelState ch = channels.get(lease.channel());
        return ch != null && ch.extend(lease, timeoutMillis, engine.clock().millis());
    }

    /** Notes that a lease of {@code consumer} expired or was dropped; reported after the lock. */
    void expired(LocalConsumer consumer, Lease lease) {
        if (expiries == null) {
            expiries = new ArrayList<>();
        }
        expiries.add(new LocalConsumer.Expiry(consumer, lease));
    }

    /** The expiries noted since the last call, or null; under the lock. */
    List<LocalConsumer.Expiry> takeExpiries() {
        List<LocalConsumer.Expiry> out = expiries;
        expiries = null;
        return out;
    }

    private void scheduleDue(long due) {
        if (due < nextDue) {
            nextDue = due;
        }
    }

    long nextDue() {
        return nextDue;
    }

    /**
     * Runs timeouts and deferrals that are due; with {@code housekeeping}, also moves stragglers,
     * applies retention, frees segments and snapshots big journals. Called with the lock held.
     *
     * @return channels whose consumers should hear that messages became ready
     */
    List<ChannelState> tick(long now, boolean housekeeping) throws IOException {
        List<ChannelState> readied = new ArrayList<>();
        for (ChannelState ch : channels.values()) {
            if (ch.processDue(now) && !ch.listeners.isEmpty()) {
                readied.add(ch);
            }
        }
        if (housekeeping) {
            for (ChannelState ch : channels.values()) {
                ch.housekeep(now);
            }
            applyRetention(now);
            freeLog(floor());
            long readFrom = holding() ? holdSeq : Long.MAX_VALUE;
            for (ChannelState ch : channels.values()) {
                readFrom = Math.min(readFrom, ch.cursorSeq());
            }
            deferredAhead.trimBelow(readFrom);
        }
        long next = Long.MAX_VALUE;
        for (ChannelState ch : channels.values()) {
            next = Math.min(next, ch.nextDue());
        }
        nextDue = next;
        return readied;
    }

    private long floor() {
        long floor = holding() ? holdOffset : Long.MAX_VALUE;
        for (ChannelState ch : channels.values()) {
            floor = Math.min(floor, ch.floor());
        }
        return floor;
    }

    private void applyRetention(long now) throws IOException {
        EmbeddedEngineConfig config = engine.config();
        long maxBytes = config.retentionBytes();
        long maxAge = config.retentionAge().toMillis();
        if (maxBytes == 0 && maxAge == 0) {
            return;
        }
        for (int round = 0; round < 10_000; round++) {
            long cut = log.retentionCut(maxBytes, maxAge, now);
            if (cut < 0) {
                return;
            }
            for (ChannelState ch : channels.values()) {
                ch.evacuateBefore(cut, now);
            }
            long startSeqBefore = log.startSeq();
            freeLog(cut);
            if (log.startSeq() == startSeqBefore) {
                return;
            }
            for (ChannelState ch : channels.values()) {
                ch.clampCursor();
            }
            if (holdOffset < log.startOffset()) {
                if (holding()) {
                    dropCount += log.startSeq() - holdSeq;
                }
                holdOffset = log.startOffset();
                holdSeq = log.startSeq();
            }
        }
    }

    // ---- administration -------------------------------------------------------------------------

    /**
     * Pauses or resumes the topic. Pausing a topic with channels starts holding at the log's end
     * (written before the caller writes the pause marker, so a restart finds both); resuming lets
     * the channels read on, held messages first.
     */
    void setPaused(boolean value) throws IOException {
        if (value && !paused && !channels.isEmpty()) {
            holdOffset = log.endOffset();
            holdSeq = log.endSeq();
            engine.storage().writeHold(this);
        }
        paused = value;
    }

    /** Creates a channel; the first one receives what the topic held. Lock held. */
    ChannelState createChannel(String channel) throws IOException {
        ChannelState existing = channels.get(channel);
        if (existing != null) {
            return existing;
        }
        // the first channel, or any created during a pause, receives what the topic holds
        boolean held = holding();
        long offset = held ? holdOffset : log.endOffset();
        long seq = held ? holdSeq : log.endSeq();
        ChannelState ch = engine.storage().createChannel(this, channel, offset, seq);
        channels.put(channel, ch);
        return ch;
    }

    void deleteChannel(String channel) throws IOException {
        ChannelState ch = channels.remove(channel);
        if (ch == null) {
            throw new NotFoundException("channel '" + channel + "' of topic '" + name + "' not found");
        }
        ch.dropLeases();
        if (channels.isEmpty() && !paused) {
            // from now on the topic holds new messages for a future first channel
            holdOffset = log.endOffset();
            holdSeq = log.endSeq();
            engine.storage().writeHold(this);
        }
        engine.storage().deleteChannel(this, ch);
        freeLog(floor());
    }

    void emptyChannel(String channel) throws IOException {
        ChannelState ch = channels.get(channel);
        if (ch == null) {
            throw new NotFoundException("channel '" + channel + "' of topic '" + name + "' not found");
        }
        ch.empty();
        freeLog(floor());
    }

    /** Drops what the topic holds (nothing when it does not hold: its channels have it all). */
    void empty() throws IOException {
        if (holding()) {
            dropCount += log.endSeq() - holdSeq;
            if (!channels.isEmpty()) {
                dropped.add(holdOffset, holdSeq, log.endOffset(), log.endSeq());
            }
        }
        holdOffset = log.endOffset();
        holdSeq = log.endSeq();
        engine.storage().writeHold(this);
        freeLog(floor());
    }

    void markDeleted() {
        deleted = true;
    }

    TopicStats stats() {
        List<ChannelStats> list = new ArrayList<>(channels.size());
        for (ChannelState ch : channels.values()) {
            list.add(ch.stats(ch.listeners.size(), engine.clock().millis()));
        }
        long depth = holding() ? Math.max(0, log.endSeq() - holdSeq) : 0;
        return new TopicStats(
                name,
                depth,
                appender.messageCount(),
                appender.messageBytes(),
                log.sizeBytes(),
                dropCount,
                appender.rejectCount(),
                paused,
                ephemeral,
                list,
                log.recovery());
    }
}
