package dev.ferry.bench.chaos;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the broker acknowledged and what it delivered, by message body (each body is unique within
 * a row): lost is acknowledged and never delivered, a duplicate is a delivery of a body delivered
 * before. Thread-safe.
 */
final class Ledger {
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final AtomicLong deliveries = new AtomicLong();

    void acknowledged(String body) {
        acknowledged.add(body);
    }

    void delivered(byte[] body) {
        deliveries.incrementAndGet();
        delivered.add(new String(body, StandardCharsets.UTF_8));
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    int deliveredCount() {
        return delivered.size();
    }

    long duplicates() {
        return deliveries.get() - delivered.size();
    }

    boolean wasDelivered(String body) {
        return delivered.contains(body);
    }

    /** The bodies among {@code expected} that were never delivered. */
    Set<String> missing(Set<String> expected) {
        Set<String> out = new HashSet<>();
        for (String b : expected) {
            if (!delivered.contains(b)) {
                out.add(b);
            }
        }
        return out;
    }

    /** The acknowledged bodies never delivered. */
    Set<String> lost() {
        return missing(Set.copyOf(acknowledged));
    }

    Set<String> acknowledgedBodies() {
        return Set.copyOf(acknowledged);
    }
}
