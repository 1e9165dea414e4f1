package dev.ferry.nsq.internal.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the protocol did for one channel label ({@link MetricLabels#channel}): messages written to
 * consumers and messages they finished. The engine counts the rest (received, requeued, timed out,
 * dead-lettered). Thread-safe; each count is a {@link LongAdder}, so connections on different event
 * loops do not contend.
 */
public final class ChannelTraffic {
    private final LongAdder delivered = new LongAdder();
    private final LongAdder finished = new LongAdder();

    /** {@code count} messages were written to a consumer (every attempt counts). */
    public void delivered(int count) {
        delivered.add(count);
    }

    /** A consumer finished a message (FIN accepted by the engine). */
    public void finished() {
        finished.increment();
    }

    /** Messages written to consumers so far. */
    public long deliveredCount() {
        return delivered.sum();
    }

    /** Messages finished so far. */
    public long finishedCount() {
        return finished.sum();
    }
}
