package dev.ferry.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.BusConfig;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durable async routes: kept on an embedded bus as deferred messages, they survive its restart. */
class AsyncDurableTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();

    private Bus openBus() {
        return Bus.builder()
                .engine(EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build())
                .config(BusConfig.builder().clock(clock).build())
                .open();
    }

    @Test
    void shouldRunAScheduledRouteAfterTheBusRestarts() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        try (Bus bus = openBus();
                Async producer = Async.builder().durable(bus, "jobs").start()) { // no routes: only schedules
            producer.route("RESUME", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS); // stored once this completes
            producer.route("RESUME", Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS);
        }
        clock.advance(Duration.ofSeconds(5));
        try (Bus bus = openBus();
                Async worker = Async.builder()
                        .durable(bus, "jobs")
                        .route("RESUME", task -> ran.add(task.route() + "@" + clock.millis()))
                        .start()) {
            await().until(() -> ran.size() == 1);
            assertThat(bus.admin().topic("jobs").orElseThrow().channels().get(0).deferred())
                    .isEqualTo(1);
            clock.advance(Duration.ofSeconds(25));
            await().until(() -> ran.size() == 2);
            await().until(() -> bus.admin()
                                    .topic("jobs")
                                    .orElseThrow()
                                    .channels()
                                    .get(0)
                                    .depth()
                            == 0
                    && bus.admin().topic("jobs").orElseThrow().channels().get(0).inFlight() == 0);
        }
    }

    @Test
    void shouldRedeliverARouteThatFailed() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        try (Bus bus = openBus();
                Async async = Async.builder()
                        .durable(bus, "jobs")
                        .route("FLAKY", task -> {
                            attempts.add(attempts.size() + 1);
                            if (attempts.size() == 1) {
                                throw new IllegalStateException("first attempt fails");
                            }
                        })
                        .start()) {
            async.route("FLAKY", Duration.ofSeconds(1)).join();
            clock.advance(Duration.ofSeconds(1));
            await().until(() -> attempts.size() == 1);
            clock.advance(Duration.ofSeconds(60)); // past the bus's backoff
            await().until(() -> attempts.size() == 2);
        }
    }
}
