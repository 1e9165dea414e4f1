package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many publishers and consumers at once: every message reaches every channel exactly once. */
class BusConcurrencyTest {
    private static final int PUBLISHERS = 4;
    private static final int PER_PUBLISHER = 5_000;

    @TempDir
    Path dir;

    @Test
    void shouldDeliverEveryMessageOnceToEveryChannelUnderConcurrentLoad() {
        try (Bus bus = Bus.builder()
                .engine(EmbeddedEngineConfig.file(dir)
                        .minFreeDiskBytes(0)
                        .segmentBytes(256 * 1024)
                        .build())
                .open()) {
            runLoad(bus);
        }
    }

    @Test
    void shouldDoTheSameInMemory() {
        try (Bus bus = Bus.inMemory()) {
            runLoad(bus);
        }
    }

    private static void runLoad(Bus bus) {
        int total = PUBLISHERS * PER_PUBLISHER;
        Set<Long> first = ConcurrentHashMap.newKeySet();
        Set<Long> second = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        for (int consumer = 0; consumer < 3; consumer++) {
            bus.subscribe(
                    "load",
                    "a",
                    m -> {
                        if (!first.add(ByteBuffer.wrap(m.body()).getLong())) {
                            duplicates.incrementAndGet();
                        }
                    },
                    SubscribeOptions.maxInFlight(50));
        }
        bus.subscribe(
                "load",
                "b",
                m -> {
                    if (!second.add(ByteBuffer.wrap(m.body()).getLong())) {
                        duplicates.incrementAndGet();
                    }
                },
                SubscribeOptions.maxInFlight(200));
        List<CompletableFuture<Void>> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            long base = (long) p * PER_PUBLISHER;
            publishers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < PER_PUBLISHER; i += 10) {
                    List<byte[]> batch = new ArrayList<>();
                    for (int j = 0; j < 10; j++) {
                        batch.add(ByteBuffer.allocate(8).putLong(base + i + j).array());
                    }
                    if (i % 20 == 0) {
                        bus.publish("load", batch);
                    } else {
                        batch.forEach(b -> bus.publishAsync("load", b));
                    }
                }
            }));
        }
        CompletableFuture.allOf(publishers.toArray(CompletableFuture[]::new)).join();
        await().atMost(Duration.ofSeconds(60)).until(() -> first.size() == total && second.size() == total);
        assertThat(duplicates.get()).isZero();
        TopicStats stats = bus.admin().topic("load").orElseThrow();
        assertThat(stats.messageCount()).isEqualTo(total);
        await().untilAsserted(() -> assertThat(
                        bus.admin().topic("load").orElseThrow().channels())
                .allSatisfy(c -> {
                    assertThat(c.depth()).isZero();
                    assertThat(c.inFlight()).isZero();
                    assertThat(c.requeueCount()).isZero();
                    assertThat(c.timeoutCount()).isZero();
                }));
    }
}
