package dev.ferry.internal.engine;

import dev.ferry.spi.Lease;

/**
 * A channel's deliveries: hands out leases on tracked messages, recognises them when they come
 * back (a stale lease, from an earlier delivery or an emptied channel, is refused), and keeps the
 * deliveries awaiting an answer in its {@link InFlightTable} until they are answered, time out or
 * are dropped; the consumer that held a lost lease is told after the topic's lock is released.
 * Every delivery is journalled with its attempt count.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class ChannelLeases {
    private final TopicState topic;
    private final String channel;
    private final ChannelJournal journal;
    private final ChannelEntries entries;
    private final InFlightTable inFlight = new InFlightTable();

    ChannelLeases(TopicState topic, String channel, ChannelJournal journal, ChannelEntries entries) {
        this.topic = topic;
        this.channel = channel;
        this.journal = journal;
        this.entries = entries;
    }

    /** Delivers {@code e} (its body loaded) to {@code owner} (null: anonymous) until {@code now + timeoutMillis}. */
    Lease deliver(Entry e, long now, long timeoutMillis, LocalConsumer owner) {
        e.attempts++;
        e.state = Entry.IN_FLIGHT;
        inFlight.add(e, now, timeoutMillis);
        journal.deliver(e.key, e.attempts);
        // the entry is the lease's handle: no lookup by key, and no box, on the way back
        Lease lease = new Lease(topic.name, channel, e, e.id, e.timestamp, e.attempts, e.body);
        e.lease = lease;
        e.owner = owner;
        return lease;
    }

    /** The entry of a lease this channel handed out and still holds in flight, or null (stale). */
    Entry leased(Lease lease) {
        if (!(lease.handle() instanceof Entry e)
                || e.state != Entry.IN_FLIGHT
                || e.attempts != lease.attempts()
                || !entries.isTracked(e)) {
            return null;
        }
        return e;
    }

    /** Ends the delivery of {@code e}, answered by FIN or REQ. */
    void answered(Entry e) {
        inFlight.answered(e);
        endLease(e);
    }

    /** Takes {@code e} out of the in-flight table if it is there, without counting (it is being forgotten). */
    void discard(Entry e) {
        inFlight.discard(e);
    }

    /** Moves the deadline of leased {@code e} to {@code now + timeoutMillis} (TOUCH). */
    void extend(Entry e, long timeoutMillis, long now) {
        inFlight.extend(e, now, timeoutMillis);
    }

    /** Removes a delivery that timed out at {@code now}, its consumer told, or null when none did. */
    Entry pollExpired(long now) {
        Entry e = inFlight.pollExpired(now);
        if (e != null) {
            leaseLost(e);
        }
        return e;
    }

    /** Drops every lease in flight, telling their consumers (the channel is emptied or deleted). */
    void dropAll() {
        for (Entry e = inFlight.pollDropped(); e != null; e = inFlight.pollDropped()) {
            leaseLost(e);
        }
    }

    /** The earliest deadline, or Long.MAX_VALUE. */
    long nextDeadline() {
        return inFlight.nextDeadline();
    }

    /** Deliveries in flight. */
    int count() {
        return inFlight.count();
    }

    /** Gives back memory held since a peak of deliveries (housekeeping). */
    void trim() {
        inFlight.trim();
    }

    void clear() {
        inFlight.clear();
    }

    /** Tells the owner of an in-flight entry that its lease is gone (once the lock is released). */
    private void leaseLost(Entry e) {
        if (e.owner != null) {
            topic.expired(e.owner, e.lease);
        }
        endLease(e);
    }

    /** The delivery of {@code e} ended (answered, timed out or dropped): it has no lease any more. */
    private static void endLease(Entry e) {
        e.lease = null;
        e.owner = null;
    }
}
