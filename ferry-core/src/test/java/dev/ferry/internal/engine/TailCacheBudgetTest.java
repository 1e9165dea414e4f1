package dev.ferry.internal.engine;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable topics' tail caches share one memory budget, trimmed least recently appended first. */
class TailCacheBudgetTest {
    @TempDir
    Path dir;

    private static LogRecord record(long seq, int bodyBytes) {
        int size = RecordCodec.size(bodyBytes);
        return new LogRecord(seq * size, seq, seq, 0, 0, 0, new byte[bodyBytes], size);
    }

    private static void append(TailCache cache, long fromSeq, int count, int bodyBytes) {
        for (int i = 0; i < count; i++) {
            cache.add(record(fromSeq + i, bodyBytes));
        }
        cache.appended();
    }

    @Test
    void shouldTrimTheLeastRecentlyAppendedTopicFirstAndCountIt() {
        int recordSize = RecordCodec.size(100);
        TailCacheBudget budget = new TailCacheBudget(10L * recordSize);
        TailCache older = budget.newCache("older", 1000, Long.MAX_VALUE);
        TailCache newer = budget.newCache("newer", 1000, Long.MAX_VALUE);

        append(older, 0, 6, 100);
        append(newer, 0, 4, 100);
        assertThat(budget.stats().trimmedRecords()).isZero();

        // two more records for "newer" take the total to 12: "older" (appended least recently) pays
        append(newer, 4, 2, 100);

        assertThat(older.size()).isEqualTo(4);
        assertThat(newer.size()).isEqualTo(6);
        TailCacheStats stats = budget.stats();
        assertThat(stats.usedBytes()).isEqualTo(10L * recordSize);
        assertThat(stats.trimmedRecords()).isEqualTo(2);
        assertThat(stats.trimmedBytes()).isEqualTo(2L * recordSize);
        assertThat(stats.caches()).isEqualTo(2);
        // the oldest records went: the cache still ends at the newest and covers from seq 2 on
        assertThat(older.readAt(0)).isSameAs(TailCache.NOT_CACHED);
        assertThat(older.readAt(2L * recordSize))
                .isNotNull()
                .extracting(LogRecord::seq)
                .isEqualTo(2L);
    }

    @Test
    void shouldTrimTheAppendingTopicItselfWhenNothingElseIsLeft() {
        int recordSize = RecordCodec.size(100);
        TailCacheBudget budget = new TailCacheBudget(3L * recordSize);
        TailCache only = budget.newCache("only", 1000, Long.MAX_VALUE);

        append(only, 0, 5, 100);

        assertThat(only.size()).isEqualTo(3);
        assertThat(budget.stats().usedBytes()).isEqualTo(3L * recordSize);
        assertThat(budget.stats().trimmedRecords()).isEqualTo(2);
    }

    @Test
    void shouldGiveBackTheBytesOfAReleasedCache() {
        TailCacheBudget budget = new TailCacheBudget(1 << 20);
        TailCache cache = budget.newCache("gone", 1000, Long.MAX_VALUE);
        append(cache, 0, 5, 100);

        cache.release();

        assertThat(budget.stats().usedBytes()).isZero();
        assertThat(budget.stats().caches()).isZero();
    }

    private static byte[] body(int topic, int i) {
        ByteBuffer b = ByteBuffer.allocate(200);
        b.putInt(topic).putInt(i);
        return b.array();
    }

    @Test
    void shouldServeEveryMessageFromTheFilesWhenTheBudgetTrimmedTheCaches() {
        long budget = 8 * 1024;
        EmbeddedEngineConfig config = EmbeddedEngineConfig.file(dir)
                .minFreeDiskBytes(0)
                .tailCacheBytes(budget)
                .build();
        int perTopic = 200;
        try (LocalEngine engine = LocalEngine.open(config)) {
            for (int t = 0; t < 3; t++) {
                engine.createChannel("t" + t, "c");
            }
            for (int i = 0; i < perTopic; i++) {
                for (int t = 0; t < 3; t++) {
                    engine.append("t" + t, List.of(PublishRecord.of(body(t, i))))
                            .join();
                }
            }
            TailCacheStats stats = engine.tailCacheStats();
            assertThat(stats.budgetBytes()).isEqualTo(budget);
            assertThat(stats.usedBytes()).isBetween(1L, budget);
            assertThat(stats.trimmedRecords()).isPositive();

            for (int t = 0; t < 3; t++) {
                List<Integer> seen = new ArrayList<>();
                for (List<Lease> got = done(engine.claim("t" + t, "c", 32, Duration.ofMinutes(1)));
                        !got.isEmpty();
                        got = done(engine.claim("t" + t, "c", 32, Duration.ofMinutes(1)))) {
                    for (Lease l : got) {
                        ByteBuffer b = ByteBuffer.wrap(l.body());
                        assertThat(b.getInt()).isEqualTo(t);
                        seen.add(b.getInt());
                        assertThat(done(engine.ack(l))).isTrue();
                    }
                }
                assertThat(seen).hasSize(perTopic).isSorted();
            }
        }
    }

    @Test
    void shouldKeepNothingInMemoryWithABudgetOfZeroAndStillRecoverIds() {
        EmbeddedEngineConfig config = EmbeddedEngineConfig.file(dir)
                .minFreeDiskBytes(0)
                .tailCacheBytes(0)
                .build();
        long lastId;
        try (LocalEngine engine = LocalEngine.open(config)) {
            engine.createChannel("t", "c");
            for (int i = 0; i < 50; i++) {
                engine.append("t", List.of(PublishRecord.of(body(0, i)))).join();
            }
            assertThat(engine.tailCacheStats().usedBytes()).isZero();
            assertThat(engine.tailCacheStats().trimmedRecords()).isEqualTo(50);
            List<Lease> all = done(engine.claim("t", "c", 100, Duration.ofMinutes(1)));
            assertThat(all).hasSize(50);
            lastId = all.get(49).messageId();
        }
        try (LocalEngine engine = LocalEngine.open(config)) {
            engine.append("t", List.of(PublishRecord.of(body(0, 50)))).join();
            List<Lease> all = done(engine.claim("t", "c", 100, Duration.ofMinutes(1)));
            // the 50 in flight at the restart come back, then the new one, with a higher id
            assertThat(all).hasSize(51);
            assertThat(all.get(50).messageId()).isGreaterThan(lastId);
        }
    }

    @Test
    void shouldReadTheBudgetFromTheEngineUri() {
        EmbeddedEngineConfig c = EmbeddedEngineConfig.parse("file:./data?tail-cache-bytes=8MiB");
        assertThat(c.tailCacheBytes()).isEqualTo(8L << 20);
        assertThat(EmbeddedEngineConfig.parse(c.uri().toString()).tailCacheBytes())
                .isEqualTo(8L << 20);
        assertThat(EmbeddedEngineConfig.file(Path.of("x")).build().tailCacheBytes())
                .isEqualTo(64L << 20);
    }
}
