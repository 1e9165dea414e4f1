package dev.ferry.nsq.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.spi.Lease;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The table of messages in flight answers as a map by id in delivery order would, whatever order
 * the answers come in: in order, out of order, with redeliveries of the same id.
 */
class InFlightRingTest {

    private static Lease lease(long id, int attempts) {
        return new Lease("t", "c", id * 10 + attempts, id, 0, attempts, new byte[0]);
    }

    private static List<Lease> inOrder(InFlightRing table) {
        List<Lease> out = new ArrayList<>();
        table.forEachInDeliveryOrder(out::add);
        return out;
    }

    @Test
    void shouldFindMessagesFinishedInDeliveryOrder() {
        InFlightRing table = new InFlightRing();
        for (long id = 1; id <= 1000; id++) {
            table.add(lease(id, 1), id);
            if (id > 100) {
                assertThat(table.remove(id - 100)).isEqualTo(lease(id - 100, 1));
            }
        }
        assertThat(table.size()).isEqualTo(100);
        assertThat(inOrder(table)).extracting(Lease::messageId).first().isEqualTo(901L);
    }

    @Test
    void shouldKeepTheOldestWhileLaterOnesAreFinished() {
        InFlightRing table = new InFlightRing();
        table.add(lease(0, 1), 7);
        for (long id = 1; id <= 5000; id++) {
            table.add(lease(id, 1), id);
            assertThat(table.remove(id)).isNotNull();
        }
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.deliveredAt(0)).isEqualTo(7);
        assertThat(table.remove(0)).isEqualTo(lease(0, 1));
        assertThat(table.size()).isZero();
    }

    @Test
    void shouldReplaceTheEntryOfARedeliveredMessage() {
        InFlightRing table = new InFlightRing();
        table.add(lease(1, 1), 1);
        table.add(lease(2, 1), 2);
        table.add(lease(1, 2), 3);

        assertThat(table.size()).isEqualTo(2);
        assertThat(table.remove(1, lease(1, 1))).as("the old lease is gone").isFalse();
        assertThat(table.get(1)).isEqualTo(lease(1, 2));
        assertThat(inOrder(table)).containsExactly(lease(2, 1), lease(1, 2));
    }

    @Test
    void shouldAnswerForMissingIds() {
        InFlightRing table = new InFlightRing();
        assertThat(table.remove(5)).isNull();
        assertThat(table.get(5)).isNull();
        assertThat(table.deliveredAt(5)).isEqualTo(-1);
        table.add(lease(5, 1), 9);
        table.clear();
        assertThat(table.size()).isZero();
        assertThat(table.get(5)).isNull();
        assertThat(inOrder(table)).isEmpty();
    }

    /**
     * Random deliveries, FINs near the order of delivery or anywhere, redeliveries and conditional
     * removes, checked step by step against a LinkedHashMap.
     */
    @Property(tries = 200)
    void shouldAnswerAsAMapInDeliveryOrder(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 300) int window,
            @ForAll @IntRange(max = 100) int jitter) {
        Random random = new Random(seed);
        InFlightRing table = new InFlightRing();
        Map<Long, Lease> model = new LinkedHashMap<>();
        Map<Long, Long> delivered = new LinkedHashMap<>();
        long nextId = 0;
        for (int step = 0; step < 3000; step++) {
            int op = random.nextInt(100);
            if (model.size() < window && op < 55) {
                long id = nextId++;
                table.add(lease(id, 1), step);
                model.put(id, lease(id, 1));
                delivered.put(id, (long) step);
            } else if (!model.isEmpty() && op < 90) {
                List<Long> ids = new ArrayList<>(model.keySet());
                int at = random.nextInt(100) < jitter
                        ? random.nextInt(ids.size())
                        : Math.min(ids.size() - 1, random.nextInt(3));
                long id = ids.get(at);
                assertThat(table.remove(id)).isEqualTo(model.remove(id));
            } else if (!model.isEmpty() && op < 95) {
                List<Long> ids = new ArrayList<>(model.keySet());
                long id = ids.get(random.nextInt(ids.size()));
                Lease again = lease(id, model.get(id).attempts() + 1);
                table.add(again, step);
                model.remove(id);
                model.put(id, again);
                delivered.put(id, (long) step);
            } else if (!model.isEmpty()) {
                List<Long> ids = new ArrayList<>(model.keySet());
                long id = ids.get(random.nextInt(ids.size()));
                Lease stale = lease(id, model.get(id).attempts() + 5);
                assertThat(table.remove(id, stale)).isFalse();
                assertThat(table.deliveredAt(id)).isEqualTo(delivered.get(id));
            } else {
                assertThat(table.remove(nextId + 1)).isNull();
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        assertThat(inOrder(table)).containsExactlyElementsOf(model.values());
    }
}
