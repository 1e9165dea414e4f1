package dev.ferry.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tail cache's off-heap ring hands back exactly the records it holds, across wraps and resizes. */
class OffHeapRecordRingTest {
    private static byte[] body(long seq, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    /** Appends records of random lengths; returns the offset after the last. */
    private static long append(OffHeapRecordRing ring, long offset, long fromSeq, int count, Random random) {
        for (long seq = fromSeq; seq < fromSeq + count; seq++) {
            byte[] body = body(seq, random.nextInt(3000));
            int size = RecordCodec.size(body.length);
            ring.add(offset, seq, seq + 1000, seq * 10, 0, body, size);
            offset += size;
        }
        return offset;
    }

    private static void assertHeldIntact(OffHeapRecordRing ring) {
        List<LogRecord> held = new ArrayList<>();
        ring.forEach(held::add);
        assertThat(held).hasSize(ring.size());
        long bytes = 0;
        List<Long> wrong = new ArrayList<>();
        for (LogRecord r : held) {
            LogRecord bySeq = ring.bySeq(r.seq());
            LogRecord byOffset = ring.byOffset(r.offset());
            boolean intact = Arrays.equals(r.body(), body(r.seq(), r.body().length))
                    && r.id() == r.seq() + 1000
                    && r.timestamp() == r.seq() * 10
                    && r.size() == RecordCodec.size(r.body().length)
                    && bySeq.offset() == r.offset()
                    && Arrays.equals(bySeq.body(), r.body())
                    && byOffset.seq() == r.seq()
                    && Arrays.equals(byOffset.body(), r.body());
            if (!intact) {
                wrong.add(r.seq());
            }
            bytes += r.size();
        }
        assertThat(wrong).as("records whose copy differs from what was added").isEmpty();
        assertThat(ring.bytes()).isEqualTo(bytes);
    }

    @Test
    void shouldKeepBodiesIntactWhileTheArenaWrapsGrowsAndShrinks() {
        long seed = new Random().nextLong();
        System.out.println("OffHeapRecordRingTest seed " + seed);
        Random random = new Random(seed);
        OffHeapRecordRing ring = new OffHeapRecordRing(5000, 1 << 20);
        long offset = 0;
        long seq = 0;
        for (int round = 0; round < 40; round++) {
            int count = 1 + random.nextInt(600);
            offset = append(ring, offset, seq, count, random);
            seq += count;
            assertThat(ring.bytes()).isLessThanOrEqualTo(1 << 20);
            assertHeldIntact(ring);
            if (random.nextInt(4) == 0 && ring.size() > 0) {
                // a budget trim: the oldest go, the arena may halve
                int drop = random.nextInt(ring.size() + 1);
                for (int i = 0; i < drop; i++) {
                    ring.removeFirst();
                }
                ring.shrinkToFit();
                assertHeldIntact(ring);
            }
        }
    }

    @Test
    void shouldHoldTheNewestRecordsAndGiveTheArenaBackOnceEmptied() {
        OffHeapRecordRing ring = new OffHeapRecordRing(100, Long.MAX_VALUE);
        long offset = 0;
        for (long seq = 0; seq < 250; seq++) {
            byte[] body = body(seq, 200);
            ring.add(offset, seq, seq, 0, 0, body, RecordCodec.size(200));
            offset += RecordCodec.size(200);
        }
        assertThat(ring.size()).isEqualTo(100);
        assertThat(ring.bySeq(149)).isNull();
        assertThat(ring.bySeq(150).body()).isEqualTo(body(150, 200));
        assertThat(ring.bySeq(249).body()).isEqualTo(body(249, 200));
        assertThat(ring.arenaBytes()).isPositive();

        ring.removeBefore(Long.MAX_VALUE);
        ring.shrinkToFit();

        assertThat(ring.size()).isZero();
        assertThat(ring.bytes()).isZero();
        assertThat(ring.arenaBytes()).isZero();
    }

    @Test
    void shouldHandOutCopiesThatLaterAppendsDoNotChange() {
        OffHeapRecordRing ring = new OffHeapRecordRing(4, Long.MAX_VALUE);
        ring.add(0, 0, 0, 0, 0, body(0, 100), RecordCodec.size(100));
        LogRecord copy = ring.bySeq(0);
        for (long seq = 1; seq < 20; seq++) {
            ring.add(seq * 200, seq, seq, 0, 0, body(seq, 100), RecordCodec.size(100));
        }
        assertThat(copy.body()).isEqualTo(body(0, 100));
    }
}
