package dev.ferry.nsq.internal.client;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Spreads a subscription's max in flight over its connections as RDY counts, as go-nsq does, with
 * one stronger promise: the messages a subscription may have in flight never exceed its max in
 * flight, even while RDY moves. Since nsqd's RDY caps a connection's in-flight count, a connection
 * whose RDY is lowered may still hold more messages than its new RDY; so a connection is counted at
 * the larger of its RDY and its in-flight messages, and RDY is raised elsewhere only within what is
 * left. What cannot be given at once is owed ({@link #owes()}) and given when messages complete.
 *
 * <ul>
 *   <li>With at least as many messages in flight as connections, each connection gets an equal share
 *       (the remainder to the first ones), capped at the broker's max RDY.
 *   <li>With fewer (e.g. max in flight 1 over 3 brokers), at most max-in-flight connections hold RDY 1
 *       at a time; {@link #redistribute} (run every redistribute interval) takes it from a
 *       connection idle for the idle timeout or holding it for the hold timeout, and gives it to the
 *       connection that waited longest, so no broker starves.
 *   <li>A cap below max in flight applies while backing off (0 while paused, 1 while testing the
 *       waters) or while the subscription is paused (0).
 * </ul>
 *
 * <p>Not thread-safe: the subscription calls it under its lock.
 */
final class RdyDistributor {
    private static final Comparator<RdyTarget> LONGEST_WAITING =
            Comparator.comparingLong(RdyTarget::lastRdyChangeMillis);

    private final int maxInFlight;
    private final long idleTimeoutMillis;
    private final long holdTimeoutMillis;
    private boolean owes;

    RdyDistributor(int maxInFlight, long idleTimeoutMillis, long holdTimeoutMillis) {
        this.maxInFlight = maxInFlight;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.holdTimeoutMillis = holdTimeoutMillis;
    }

    /** Whether some connection is below its share because messages elsewhere are still in flight. */
    boolean owes() {
        return owes;
    }

    /**
     * Sets every connection's RDY for a total of {@code cap} (at most max in flight): lowers first,
     * then raises within what the others' RDY and in-flight messages leave.
     */
    void rebalance(List<? extends RdyTarget> connections, int cap, long now) {
        int total = Math.min(cap, maxInFlight);
        int n = connections.size();
        if (n == 0) {
            owes = false;
            return;
        }
        int[] target = new int[n];
        if (total >= n) {
            for (int i = 0; i < n; i++) {
                int share = total / n + (i < total % n ? 1 : 0);
                target[i] = Math.min(share, connections.get(i).maxRdy());
            }
        } else {
            // fewer slots than connections: those holding RDY keep 1, the longest waiting get the rest
            List<RdyTarget> holders = new ArrayList<>();
            List<RdyTarget> waiting = new ArrayList<>();
            for (RdyTarget c : connections) {
                (c.rdy() > 0 ? holders : waiting).add(c);
            }
            holders.sort(LONGEST_WAITING.reversed());
            waiting.sort(LONGEST_WAITING);
            List<RdyTarget> chosen = new ArrayList<>(holders.subList(0, Math.min(total, holders.size())));
            for (int i = 0; chosen.size() < total && i < waiting.size(); i++) {
                chosen.add(waiting.get(i));
            }
            for (int i = 0; i < n; i++) {
                target[i] = chosen.contains(connections.get(i)) ? 1 : 0;
            }
        }
        apply(connections, target, total, now);
    }

    private void apply(List<? extends RdyTarget> connections, int[] target, int total, long now) {
        int n = connections.size();
        for (int i = 0; i < n; i++) {
            RdyTarget c = connections.get(i);
            if (target[i] < c.rdy()) {
                c.sendRdy(target[i], now);
            }
        }
        int used = 0;
        for (RdyTarget c : connections) {
            used += Math.max(c.rdy(), c.inFlight());
        }
        boolean short_ = false;
        for (int i = 0; i < n; i++) {
            RdyTarget c = connections.get(i);
            if (target[i] <= c.rdy()) {
                continue;
            }
            int usage = Math.max(c.rdy(), c.inFlight());
            // raising RDY to r costs max(r, inFlight) - usage more of the total
            int room = total - used;
            int r = Math.min(target[i], usage + room);
            if (r > c.rdy()) {
                used += Math.max(r, c.inFlight()) - usage;
                c.sendRdy(r, now);
            }
            if (r < target[i]) {
                short_ = true;
            }
        }
        owes = short_;
    }

    /**
     * Moves RDY when there are more connections than {@code cap} (or than max in flight): takes it
     * from connections idle for the idle timeout or holding it for the hold timeout, then gives the
     * free slots to the connections that waited longest.
     */
    void redistribute(List<? extends RdyTarget> connections, int cap, long now) {
        int total = Math.min(cap, maxInFlight);
        if (connections.size() <= total) {
            return;
        }
        for (RdyTarget c : connections) {
            if (c.rdy() == 0) {
                continue;
            }
            long quietSince = Math.max(c.lastMessageMillis(), c.lastRdyChangeMillis());
            if (now - quietSince >= idleTimeoutMillis || now - c.lastRdyChangeMillis() >= holdTimeoutMillis) {
                c.sendRdy(0, now);
            }
        }
        rebalance(connections, cap, now);
    }
}
