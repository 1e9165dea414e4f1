package dev.ferry.nsq.internal.lookupd;

/**
 * A node under one registration. Each registration has its own, so a tombstone marks the node for
 * one topic only, as nsqlookupd's does.
 *
 * <p>Thread-safe: the tombstone time is volatile.
 */
final class Producer {
    final PeerInfo peer;
    private volatile long tombstonedAtMillis = -1;

    Producer(PeerInfo peer) {
        this.peer = peer;
    }

    void tombstone(long nowMillis) {
        tombstonedAtMillis = nowMillis;
    }

    /** Whether a tombstone set less than {@code lifetimeMillis} ago holds. */
    boolean tombstoned(long nowMillis, long lifetimeMillis) {
        long at = tombstonedAtMillis;
        return at >= 0 && nowMillis - at < lifetimeMillis;
    }

    /** Whether a lookup lists it: pinged within the timeout and not tombstoned. */
    boolean active(long nowMillis, long inactiveTimeoutMillis, long tombstoneLifetimeMillis) {
        return nowMillis - peer.lastUpdate() <= inactiveTimeoutMillis
                && !tombstoned(nowMillis, tombstoneLifetimeMillis);
    }
}
