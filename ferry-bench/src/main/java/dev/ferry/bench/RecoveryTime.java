package dev.ferry.bench;

import dev.ferry.Bus;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how long an embedded bus takes to open a data directory holding about {@code GiB} of
 * messages: a topic whose channel has consumed 10,000 of them and holds 1,000 more in flight at
 * the close.
 *
 * <p>Run: {@code java -cp ferry-bench/target/benchmarks.jar dev.ferry.bench.RecoveryTime DIR 1}
 */
public final class RecoveryTime {
    private RecoveryTime() {}

    /** Fills {@code args[0]} with {@code args[1]} GiB (default 1) and times three reopenings. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "recovery-data");
        double gib = args.length > 1 ? Double.parseDouble(args[1]) : 1;
        int bodySize = 1024;
        long messages = (long) (gib * (1L << 30) / bodySize);
        EmbeddedEngineConfig config =
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build();
        if (!Files.exists(dir.resolve("FORMAT"))) {
            long start = System.nanoTime();
            try (Bus bus = Bus.builder().engine(config).open()) {
                bus.admin().createChannel("big", "c");
                byte[] body = new byte[bodySize];
                List<byte[]> batch = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    batch.add(body);
                }
                for (long sent = 0; sent < messages; sent += batch.size()) {
                    bus.publish("big", batch);
                }
                AtomicLong consumed = new AtomicLong();
                long half = Math.min(messages / 2, 10_000);
                Subscription sub = bus.subscribe(
                        "big",
                        "c",
                        m -> {
                            if (consumed.incrementAndGet() > half) {
                                m.takeControl(); // stays in flight
                            }
                        },
                        SubscribeOptions.maxInFlight(1000));
                while (consumed.get() < half + 1000) {
                    Thread.onSpinWait();
                }
                sub.pause();
            }
            System.out.printf(
                    "filled %s with %d messages of %d B in %.1f s%n",
                    dir, messages, bodySize, (System.nanoTime() - start) / 1e9);
        }
        for (int round = 1; round <= 3; round++) {
            long start = System.nanoTime();
            try (Bus bus = Bus.builder().engine(config).open()) {
                long opened = System.nanoTime();
                var stats = bus.admin().topic("big").orElseThrow();
                System.out.printf(
                        "open %d: %.0f ms (log %d MiB, channel depth %d)%n",
                        round,
                        (opened - start) / 1e6,
                        stats.storedBytes() >> 20,
                        stats.channels().get(0).depth());
            }
        }
    }
}
