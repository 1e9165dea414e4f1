package dev.ferry.nsq.internal.lookupd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * nsqlookupd's registration database: for each {@link Registration}, the producers registered under
 * it, by peer id. A registration outlives its last producer (it stays with none) until it is removed
 * explicitly, as nsqlookupd's does. Keys are kept sorted, so listings come out in name order.
 *
 * <p>Thread-safe: every method takes the database's monitor for a short, non-blocking while.
 */
final class RegistrationDb {
    private static final Comparator<Registration> ORDER = Comparator.comparing(Registration::category)
            .thenComparing(Registration::key)
            .thenComparing(Registration::subKey);

    private final TreeMap<Registration, Map<String, Producer>> registrations = new TreeMap<>(ORDER);

    /** Adds a registration with no producers; nothing when it exists. */
    synchronized void addRegistration(Registration key) {
        registrations.computeIfAbsent(key, k -> new LinkedHashMap<>());
    }

    /** Adds a producer under {@code key} (created when missing); false when its peer was there already. */
    synchronized boolean addProducer(Registration key, Producer producer) {
        Map<String, Producer> producers = registrations.computeIfAbsent(key, k -> new LinkedHashMap<>());
        return producers.putIfAbsent(producer.peer.id, producer) == null;
    }

    /**
     * Removes the peer's producer from {@code key}; the registration stays, even empty.
     *
     * @return how many producers the registration has left (0 when it does not exist)
     */
    synchronized int removeProducer(Registration key, String peerId) {
        Map<String, Producer> producers = registrations.get(key);
        if (producers == null) {
            return 0;
        }
        producers.remove(peerId);
        return producers.size();
    }

    /** Removes a registration with all its producers. */
    synchronized void removeRegistration(Registration key) {
        registrations.remove(key);
    }

    /** The registrations matching; {@code *} as key or subkey matches any. Sorted. */
    synchronized List<Registration> find(String category, String key, String subKey) {
        List<Registration> found = new ArrayList<>();
        for (Registration r : registrations.keySet()) {
            if (r.matches(category, key, subKey)) {
                found.add(r);
            }
        }
        return found;
    }

    /** The producers under the matching registrations, each peer once. */
    synchronized List<Producer> producers(String category, String key, String subKey) {
        Map<String, Producer> found = new LinkedHashMap<>();
        for (Map.Entry<Registration, Map<String, Producer>> e : registrations.entrySet()) {
            if (e.getKey().matches(category, key, subKey)) {
                e.getValue().forEach(found::putIfAbsent);
            }
        }
        return List.copyOf(found.values());
    }

    /** The registrations the peer has a producer under. Sorted. */
    synchronized List<Registration> registrationsOf(String peerId) {
        List<Registration> found = new ArrayList<>();
        registrations.forEach((r, producers) -> {
            if (producers.containsKey(peerId)) {
                found.add(r);
            }
        });
        return found;
    }

    /** The keys (topics) of {@code registrations}, in order. */
    static List<String> keys(List<Registration> registrations) {
        return registrations.stream().map(Registration::key).toList();
    }

    /** The subkeys (channels) of {@code registrations}, in order. */
    static List<String> subKeys(List<Registration> registrations) {
        return registrations.stream().map(Registration::subKey).toList();
    }
}
