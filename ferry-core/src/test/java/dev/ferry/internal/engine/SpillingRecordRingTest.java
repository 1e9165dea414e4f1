package dev.ferry.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tail cache's records: the newest on the heap as appended, the older spilled off the heap. */
class SpillingRecordRingTest {
    private static final int BODY = 200;
    private static final int SIZE = RecordCodec.size(BODY);

    private static byte[] body(long seq) {
        byte[] b = new byte[BODY];
        b[0] = (byte) seq;
        b[1] = (byte) (seq >> 8);
        return b;
    }

    @Test
    void shouldHandTheNewestBodiesOutAsAppendedAndTheSpilledOnesAsEqualCopies() {
        SpillingRecordRing ring = new SpillingRecordRing(10_000, Long.MAX_VALUE);
        List<byte[]> appended = new ArrayList<>();
        int count = 3 * SpillingRecordRing.HEAP_RECORDS;
        for (long seq = 0; seq < count; seq++) {
            byte[] b = body(seq);
            appended.add(b);
            ring.add(new LogRecord(seq * SIZE, seq, seq, 0, 0, 0, b, SIZE));
        }
        assertThat(ring.size()).isEqualTo(count);
        assertThat(ring.bytes()).isEqualTo((long) count * SIZE);
        assertThat(ring.offHeapBytes()).isPositive();

        long newest = count - 1;
        assertThat(ring.bySeq(newest).body()).isSameAs(appended.get((int) newest));
        assertThat(ring.bySeq(0).body()).isNotSameAs(appended.get(0)).isEqualTo(appended.get(0));
        List<Long> seen = new ArrayList<>();
        ring.forEach(r -> {
            assertThat(r.body()).isEqualTo(appended.get((int) r.seq()));
            assertThat(ring.byOffset(r.offset()).seq()).isEqualTo(r.seq());
            seen.add(r.seq());
        });
        assertThat(seen).hasSize(count).isSorted();
    }

    @Test
    void shouldBoundBothTiersTogetherAndDropTheOldestFirst() {
        SpillingRecordRing ring = new SpillingRecordRing(2000, 1500L * SIZE);
        for (long seq = 0; seq < 5000; seq++) {
            ring.add(new LogRecord(seq * SIZE, seq, seq, 0, 0, 0, body(seq), SIZE));
        }
        assertThat(ring.size()).isEqualTo(1500);
        assertThat(ring.firstOffset()).isEqualTo(3500L * SIZE);
        assertThat(ring.offsetOfSeq(3499)).isEqualTo(-1);
        assertThat(ring.offsetOfSeq(3500)).isEqualTo(3500L * SIZE);

        ring.removeBefore(4990L * SIZE);
        ring.shrinkToFit();

        assertThat(ring.size()).isEqualTo(10);
        assertThat(ring.offHeapBytes()).isZero();
        assertThat(ring.bySeq(4990).body()).isEqualTo(body(4990));
    }
}
