package dev.ferry.internal.engine;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deferred messages live in retry buckets by due time; only buckets coming due are in memory. */
class DeferredBucketsTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();

    private int tracked(LocalEngine engine) {
        TopicState topic = engine.topicState("t");
        topic.lock.lock();
        try {
            return topic.channel("c").trackedCount();
        } finally {
            topic.lock.unlock();
        }
    }

    @Test
    void shouldKeepFarDeferralsOnDiskOnlyUntilTheirBucketComesDue() {
        EmbeddedEngineConfig config =
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build();
        try (LocalEngine engine = LocalEngine.open(config, clock)) {
            done(engine.createChannel("t", "c"));
            List<PublishRecord> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                batch.add(new PublishRecord(new byte[] {(byte) i}, 3_600_000L + i));
            }
            engine.append("t", batch).join();
            assertThat(done(engine.claim("t", "c", 10, Duration.ofMinutes(5)))).isEmpty();
            assertThat(tracked(engine)).as("far deferrals held in memory").isZero();
            assertThat(done(engine.stats("t")).orElseThrow().channels().get(0).deferred())
                    .isEqualTo(1000);

            clock.advance(Duration.ofMinutes(59));
            await().during(Duration.ofMillis(300)).until(() -> tracked(engine) == 0);
            clock.advance(Duration.ofSeconds(45)); // its bucket is now within the loading horizon
            await().until(() -> tracked(engine) == 1000);
            assertThat(done(engine.claim("t", "c", 10, Duration.ofMinutes(5)))).isEmpty();

            clock.advance(Duration.ofSeconds(16));
            List<Lease> got = new ArrayList<>();
            await().until(() -> {
                got.addAll(done(engine.claim("t", "c", 1000, Duration.ofMinutes(5))));
                return got.size() == 1000;
            });
            got.forEach(l -> done(engine.ack(l)));
            assertThat(tracked(engine)).isZero();
        }
    }
}
