package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BusConfig#maxRequeueDelay()} is the bus's bound: the bus clamps the delays it passes to the
 * engine, which stores the delays it is given.
 */
class BusMaxRequeueDelayTest {
    private final MutableClock clock = MutableClock.start();
    private Bus bus;

    @BeforeEach
    void open() {
        bus = Bus.builder()
                .engine("memory:")
                .config(BusConfig.builder()
                        .clock(clock)
                        .maxRequeueDelay(Duration.ofSeconds(5))
                        .build())
                .open();
    }

    @AfterEach
    void close() {
        bus.close();
    }

    private long deferred() {
        return bus.admin().topic("t").orElseThrow().channels().getFirst().deferred();
    }

    @Test
    void shouldClampADeferredPublishToTheMaximumRequeueDelay() {
        List<String> got = new CopyOnWriteArrayList<>();
        bus.subscribe("t", "c", m -> got.add(new String(m.body(), StandardCharsets.UTF_8)));
        bus.publishDeferred("t", "later".getBytes(StandardCharsets.UTF_8), Duration.ofHours(1));
        await().until(() -> deferred() == 1);
        clock.advance(Duration.ofMillis(4999));
        assertThat(got).isEmpty();
        clock.advance(Duration.ofMillis(1));
        await().until(() -> got.size() == 1);
    }

    @Test
    void shouldClampARequeueToTheMaximumRequeueDelay() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        bus.subscribe("t", "c", m -> {
            attempts.add(m.attempts());
            if (m.attempts() == 1) {
                m.requeue(Duration.ofHours(1));
            }
        });
        bus.publish("t", "x".getBytes(StandardCharsets.UTF_8));
        await().until(() -> attempts.size() == 1 && deferred() == 1);
        clock.advance(Duration.ofSeconds(5));
        await().until(() -> attempts.size() == 2);
        assertThat(attempts).containsExactly(1, 2);
    }
}
