package dev.ferry.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The channel's O(1) bookkeeping ({@link EntryRing} for log order, {@link InFlightTable} for
 * deadlines) agrees with a plain sorted model under any mix of adds, removals from anywhere, keys
 * that go back, touches, timeouts and drops: the lowest key and the earliest deadline are always
 * the model's, and nothing is lost or returned twice. jqwik prints the seed of a failing try.
 */
class ChannelBookkeepingPropertyTest {

    @Property(tries = 100)
    void aLogOrderRingAlwaysKnowsItsLowestKeyAndWhatItHolds(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 6000) int steps) {
        Random random = new Random(seed);
        EntryRing ring = new EntryRing(EntryRing.Kind.LOG_ORDER);
        TreeMap<Long, Entry> model = new TreeMap<>();
        List<Entry> held = new ArrayList<>();
        List<Entry> gone = new ArrayList<>();
        long nextKey = 0;
        for (int step = 0; step < steps; step++) {
            // the first half mostly adds, the second mostly removes: the ring grows past the size
            // trim() keeps, then shrinks (shares of add, remove, pollFirst, trim; the rest finds)
            int[] shares = step < steps / 2 ? new int[] {70, 20, 5, 2} : new int[] {30, 45, 15, 5};
            int op = random.nextInt(100);
            if (op < shares[0] || model.isEmpty()) {
                // mostly ascending keys; now and then one below the last (a key that went back)
                long key = random.nextInt(20) == 0 && nextKey > 10 ? nextKey - 1 - random.nextInt(10) : nextKey++;
                if (model.containsKey(key)) {
                    continue;
                }
                Entry e = new Entry(key);
                ring.add(e, key);
                model.put(key, e);
                held.add(e);
            } else if (op < shares[0] + shares[1]) {
                Entry e = held.remove(random.nextInt(held.size()));
                assertThat(ring.remove(e)).isTrue();
                model.remove(e.key);
                gone.add(e);
            } else if (op < shares[0] + shares[1] + shares[2]) {
                Entry first = ring.pollFirst();
                assertThat(first).isSameAs(model.firstEntry().getValue());
                model.remove(first.key);
                held.remove(first);
                gone.add(first);
            } else if (op < shares[0] + shares[1] + shares[2] + shares[3]) {
                ring.trim();
            } else {
                Entry e = held.get(random.nextInt(held.size()));
                assertThat(ring.find(e.key)).isSameAs(e);
            }
            assertThat(ring.size()).isEqualTo(model.size());
            assertThat(ring.firstKey()).isEqualTo(model.isEmpty() ? Long.MAX_VALUE : model.firstKey());
            if (!gone.isEmpty()) {
                Entry e = gone.get(random.nextInt(gone.size()));
                assertThat(ring.holds(e)).isFalse();
                assertThat(ring.remove(e)).isFalse();
            }
        }
        List<Entry> inOrder = new ArrayList<>();
        ring.forEach(inOrder::add);
        assertThat(inOrder).containsExactlyElementsOf(model.values());
        for (Entry e : held) {
            assertThat(ring.holds(e)).isTrue();
        }
    }

    @Property(tries = 300)
    void anInFlightTableTimesOutByDeadlineAndForgetsWhatWasAnswered(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 3000) int steps) {
        Random random = new Random(seed);
        long[] timeouts = {60_000, 1_000, 5_000, 30_000, 90_000, 7}; // more than the table's rings
        InFlightTable table = new InFlightTable();
        Map<Entry, Long> model = new IdentityHashMap<>();
        long now = 1_000_000;
        long key = 0;
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(100);
            if (op < 45 || model.isEmpty()) {
                Entry e = new Entry(key++);
                long timeout = timeouts[random.nextInt(random.nextBoolean() ? 1 : timeouts.length)];
                table.add(e, now, timeout);
                model.put(e, now + timeout);
            } else if (op < 75) {
                Entry e = any(model, random);
                table.answered(e);
                model.remove(e);
            } else if (op < 47) {
                table.trim();
            } else if (op < 82) {
                Entry e = any(model, random);
                long timeout = timeouts[random.nextInt(timeouts.length)];
                table.extend(e, now, timeout);
                model.put(e, now + timeout);
            } else if (op < 97) {
                // time moves on, now and then a little back (a clock that stepped)
                now += random.nextInt(10) == 0 ? -random.nextInt(50) : random.nextInt(2_000);
                for (Entry e = table.pollExpired(now); e != null; e = table.pollExpired(now)) {
                    Long deadline = model.remove(e);
                    assertThat(deadline).as("expired twice or never added").isNotNull();
                    assertThat(deadline).isLessThanOrEqualTo(now);
                    assertThat(model.values()).allMatch(d -> d >= deadline);
                }
                long at = now;
                assertThat(model.values()).allMatch(d -> d > at);
            } else {
                for (Entry e = table.pollDropped(); e != null; e = table.pollDropped()) {
                    assertThat(model.remove(e))
                            .as("dropped twice or never added")
                            .isNotNull();
                }
                assertThat(model).isEmpty();
                table.clear();
            }
            assertThat(table.count()).isEqualTo(model.size());
            long earliest =
                    model.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
            assertThat(table.nextDeadline()).isEqualTo(earliest);
        }
    }

    private static Entry any(Map<Entry, Long> model, Random random) {
        int skip = random.nextInt(model.size());
        for (Entry e : model.keySet()) {
            if (skip-- == 0) {
                return e;
            }
        }
        throw new IllegalStateException("empty");
    }
}
