package dev.ferry.internal.engine;

import dev.ferry.DepthPolicy;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.PublishRejectedException;
import dev.ferry.spi.PublishRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Writes a topic's publishes to its log in groups: publishers queue their batches from any thread,
 * and whichever thread releases the topic's lock next writes every queued batch in one append (one
 * write, one fsync under {@code sync=always}). Each batch is checked against the disk budget and
 * the channels' depth limits on its own and is stored all or nothing. Gives the messages their ids
 * and counts what was published and refused.
 *
 * <p>Threading: {@link #enqueue} from any thread; everything else under the topic's lock.
 */
final class TopicAppender {
    private final LocalEngine engine;
    private final TopicState topic;
    private final ConcurrentLinkedQueue<PendingAppend> pendingAppends = new ConcurrentLinkedQueue<>();
    private long messageCount;
    private long messageBytes;
    private long rejectCount;
    private long lastId;

    TopicAppender(LocalEngine engine, TopicState topic) {
        this.engine = engine;
        this.topic = topic;
    }

    /** Continues ids after {@code lastId}, the newest found in the log at recovery. */
    void restoreLastId(long lastId) {
        this.lastId = lastId;
    }

    long messageCount() {
        return messageCount;
    }

    long messageBytes() {
        return messageBytes;
    }

    long rejectCount() {
        return rejectCount;
    }

    /** A fresh id: above the last one, and tied to the wall clock like nsqd's. */
    private long nextId(long nowMillis) {
        long candidate = (nowMillis - 1_600_000_000_000L) << 20;
        lastId = Math.max(lastId + 1, candidate);
        return lastId;
    }

    /** Queues a publish for the next group write. Any thread. */
    void enqueue(PendingAppend append) {
        pendingAppends.add(append);
    }

    /** Whether publishes wait to be written. Any thread. */
    boolean hasQueued() {
        return !pendingAppends.isEmpty();
    }

    /**
     * Writes every queued publish: each is checked against the limits on its own (a batch is
     * stored all or nothing), and all accepted ones go to the log in one write. Lock held. Never
     * throws: an unexpected failure is set as the error of the publishes it hit.
     *
     * @return the publishes taken from the queue, each done, refused, failed or to retry
     */
    List<PendingAppend> appendQueued() {
        List<PendingAppend> group = new ArrayList<>();
        for (PendingAppend p; (p = pendingAppends.poll()) != null; ) {
            group.add(p);
        }
        try {
            if (topic.deleted()) {
                group.forEach(p -> p.retry = true);
                return group;
            }
            List<PendingAppend> accepted = new ArrayList<>(group.size());
            int n = 0;
            long bytes = 0;
            for (PendingAppend p : group) {
                String refusal = refusal(p, n, bytes);
                if (refusal != null) {
                    rejectCount++;
                    p.error = new PublishRejectedException(
                            "publish to topic '" + topic.name + "' refused: " + refusal + "; nothing was stored");
                } else {
                    accepted.add(p);
                    n += p.batch.size();
                    bytes += p.bodyBytes;
                }
            }
            if (!accepted.isEmpty()) {
                write(accepted, n, bytes);
            }
        } catch (RuntimeException e) {
            for (PendingAppend p : group) {
                if (p.error == null && !p.retry) {
                    p.error = e;
                }
            }
        } finally {
            group.forEach(p -> p.done = true);
        }
        return group;
    }

    /** Why {@code p} must be refused after {@code n} messages of {@code bytes} ahead of it, or null. */
    private String refusal(PendingAppend p, int n, long bytes) {
        int size = p.batch.size();
        if (!topic.memoryOnly) {
            String disk = engine.disk().refusal(bytes + p.bodyBytes + (long) (n + size) * RecordCodec.OVERHEAD);
            if (disk != null) {
                return disk;
            }
        }
        EmbeddedEngineConfig config = engine.config();
        if (config.channelMaxDepth() > 0 && config.depthPolicy() == DepthPolicy.REJECT) {
            for (ChannelState ch : topic.channelsView()) {
                long depth = ch.depth() + n;
                if (ch.journal() != ChannelJournal.NONE && depth + size > config.channelMaxDepth()) {
                    return "channel '"
                            + ch.name
                            + "' is full (depth "
                            + depth
                            + " + "
                            + size
                            + " new > maximum depth "
                            + config.channelMaxDepth()
                            + ", policy reject)";
                }
            }
        }
        return null;
    }

    private void write(List<PendingAppend> accepted, int n, long bodyBytes) {
        long nowMillis = engine.clock().millis();
        long timestamp = engine.nowNanos();
        long[] ids = new long[n];
        long[] dueAts = new long[n];
        List<byte[]> bodies = new ArrayList<>(n);
        int i = 0;
        for (PendingAppend p : accepted) {
            for (PublishRecord r : p.batch) {
                ids[i] = nextId(nowMillis);
                long defer = r.deferMillis();
                dueAts[i] = defer > 0 ? nowMillis + defer : 0;
                bodies.add(r.body());
                i++;
            }
        }
        TopicLog log = topic.log();
        long before = log.sizeBytes();
        long firstSeq = log.endSeq();
        try {
            log.append(ids, timestamp, dueAts, bodies);
        } catch (IOException e) {
            rejectCount += accepted.size();
            engine.disk().reportWriteError(topic.name, e);
            for (PendingAppend p : accepted) {
                p.error = new PublishRejectedException(
                        "publish to topic '"
                                + topic.name
                                + "' failed: writing its log failed ("
                                + e.getMessage()
                                + "); nothing of this publish was stored",
                        e);
            }
            return;
        }
        engine.disk().addStoredBytes(log.sizeBytes() - before);
        topic.appended(firstSeq, dueAts, n);
        messageCount += n;
        messageBytes += bodyBytes;
        try {
            topic.applyBounds(nowMillis);
        } catch (IOException e) {
            // the publishes are stored; only the dropping of old messages failed
            engine.disk().reportWriteError(topic.name, e);
        }
    }
}
