package dev.ferry;

/**
 * What the embedded engine found damaged in a topic's or a channel's files, since it opened, and
 * what it did about it. Damage inside a file (a record whose checksum fails, with intact records
 * after it) is skipped: the engine resynchronises on the next intact record, keeps every intact
 * record, and copies the damaged bytes into a quarantine file next to the data ({@code
 * <file>.damaged-at-<byte>}), never deleting them. A torn tail (the last append cut short by a
 * crash, at the end of the newest file) is cut off, as before.
 *
 * <p>For a topic, the counts are of its log's segments. For a channel, of its snapshot, journals
 * and retry buckets: a damaged snapshot is replaced by replaying the journal from the snapshot
 * before it, and a damaged journal record loses that record only (its message may be delivered
 * again, never dropped).
 *
 * @param damagedStretches runs of damaged bytes skipped inside files
 * @param recordsLost records lost in those stretches: exact for log segments (their sequence
 *     numbers tell), at least one per stretch for journals and retry buckets
 * @param recordsKept intact records found after a damaged stretch in the same file, which a cut
 *     would have lost
 * @param bytesQuarantined bytes copied into quarantine files
 * @param tornBytesCut bytes of torn tails cut off (or, for journals, not replayed)
 */
public record RecoveryStats(
        long damagedStretches, long recordsLost, long recordsKept, long bytesQuarantined, long tornBytesCut) {

    /** Nothing found. */
    public static final RecoveryStats NONE = new RecoveryStats(0, 0, 0, 0, 0);

    /** Whether any damage or torn tail was found. */
    public boolean any() {
        return damagedStretches > 0 || tornBytesCut > 0;
    }
}
