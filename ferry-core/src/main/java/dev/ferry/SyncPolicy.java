package dev.ferry;

/**
 * When the embedded engine forces written data to the disk. Every policy writes a record to its file
 * before a publish returns, so a killed process loses nothing it acknowledged; the policy decides
 * what a machine crash can lose.
 */
public enum SyncPolicy {
    /**
     * fsync before a publish is acknowledged; concurrent publishers share one fsync (group commit).
     */
    ALWAYS,
    /** fsync every sync interval (100 ms by default): a machine crash loses at most that window. */
    INTERVAL,
    /** Never fsync; the operating system writes back when it likes. */
    NEVER
}
