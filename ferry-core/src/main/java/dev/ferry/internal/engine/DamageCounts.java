package dev.ferry.internal.engine;

import dev.ferry.RecoveryStats;

/**
 * The running counts behind a topic's or a channel's {@link RecoveryStats}: what recovery and reads
 * found damaged in its files. Thread-safe (synchronized): recovery, reads under the topic lock and
 * statistics may meet.
 */
final class DamageCounts {
    private long stretches;
    private long lost;
    private long kept;
    private long quarantined;
    private long torn;

    /** A damaged stretch was skipped: {@code records} lost, {@code bytes} copied to quarantine. */
    synchronized void damaged(long records, long bytes) {
        stretches++;
        lost += records;
        quarantined += bytes;
    }

    /** {@code records} intact records were kept after a damaged stretch. */
    synchronized void kept(long records) {
        kept += records;
    }

    /** A torn tail of {@code bytes} was cut off. */
    synchronized void torn(long bytes) {
        torn += bytes;
    }

    synchronized RecoveryStats stats() {
        return new RecoveryStats(stretches, lost, kept, quarantined, torn);
    }
}
