package dev.ferry.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

    @Property(tries = 300)
    void aLogOrderRingAlwaysKnowsItsLowestKeyAndWhatItHolds(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 3000) int steps) {
        Random random = new Random(seed);
        EntryRing ring = new EntryRing(EntryRing.Kind.LOG_ORDER);
        List<Entry> model = new ArrayList<>();
        List<Entry> gone = new ArrayList<>();
        long nextKey = 0;
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(100);
            if (op < 50 || model.isEmpty()) {
                // mostly ascending keys; now and then one below the last (a key that went back)
                long key = random.nextInt(20) == 0 && nextKey > 10 ? nextKey - 1 - random.nextInt(10) : nextKey++;
                if (findIn(model, key) != null) {
                    continue;
                }
                Entry e = new Entry(key);
                ring.add(e, key);
                model.add(e);
            } else if (op < 85) {
                Entry e = model.remove(random.nextInt(model.size()));
                assertThat(ring.remove(e)).isTrue();
                gone.add(e);
            } else if (op < 95) {
                Entry first = ring.pollFirst();
                Entry expected =
                        model.stream().min(Comparator.comparingLong(x -> x.key)).orElseThrow();
                assertThat(first).isSameAs(expected);
                model.remove(expected);
                gone.add(expected);
            } else {
                Entry e = model.get(random.nextInt(model.size()));
                assertThat(ring.find(e.key)).isSameAs(e);
            }
            assertThat(ring.size()).isEqualTo(model.size());
            long lowest = model.stream().mapToLong(x -> x.key).min().orElse(Long.MAX_VALUE);
            assertThat(ring.firstKey()).isEqualTo(lowest);
            if (!gone.isEmpty()) {
                Entry e = gone.get(random.nextInt(gone.size()));
                assertThat(ring.holds(e)).isFalse();
                assertThat(ring.remove(e)).isFalse();
            }
        }
        List<Long> inOrder = new ArrayList<>();
        ring.forEach(e -> inOrder.add(e.key));
        assertThat(inOrder).isSorted().hasSize(model.size());
        for (Entry e : model) {
            assertThat(ring.holds(e)).isTrue();
        }
    }

    private static Entry findIn(List<Entry> entries, long key) {
        for (Entry e : entries) {
            if (e.key == key) {
                return e;
            }
        }
        return null;
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
