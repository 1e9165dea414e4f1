package dev.ferry.testing;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The test engine itself: it completes later, elsewhere, and catches threads that wait on it. */
class OffThreadEngineTest {
    private final OffThreadEngine engine = new OffThreadEngine(
            LocalEngine.open(EmbeddedEngineConfig.memory().build()),
            t -> t.getName().startsWith("no-waiting-"));

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void shouldCompleteEveryStageLaterOnItsOwnThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        LocalEngine local = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        // the wrapped engine's claim waits for the test, so the stage is surely not complete yet
        Engine held = (Engine) Proxy.newProxyInstance(
                Engine.class.getClassLoader(), new Class<?>[] {Engine.class}, (proxy, method, args) -> {
                    if (method.getName().equals("claim")) {
                        release.await();
                    }
                    try {
                        return method.invoke(local, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (OffThreadEngine later = new OffThreadEngine(held)) {
            done(later.createChannel("t", "c"));
            done(later.append("t", List.of(PublishRecord.of(new byte[] {1}))));
            AtomicReference<String> completedOn = new AtomicReference<>();
            CompletableFuture<List<Lease>> claimed = later.claim("t", "c", 1, Duration.ofSeconds(30))
                    .whenComplete((leases, e) ->
                            completedOn.set(Thread.currentThread().getName()))
                    .toCompletableFuture();
            assertThat(claimed).isNotDone();
            release.countDown();
            assertThat(done(claimed)).hasSize(1);
            assertThat(completedOn.get()).isEqualTo("ferry-offthread-engine");
        }
    }

    @Test
    void shouldRefuseAndRecordAWaitOnAThreadThatMustNotWait() throws Exception {
        CompletableFuture<List<Lease>> stage =
                engine.claim("t", "c", 1, Duration.ofSeconds(30)).toCompletableFuture();
        CompletableFuture<Integer> derived = stage.thenApply(List::size);
        List<Throwable> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread loop = new Thread(
                () -> {
                    for (CompletableFuture<?> f : List.of(stage, derived)) {
                        try {
                            f.join();
                        } catch (RuntimeException e) {
                            refused.add(e);
                        }
                    }
                },
                "no-waiting-1");
        loop.start();
        loop.join();
        assertThat(refused)
                .hasSize(2)
                .allSatisfy(e -> assertThat(e)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("no-waiting-1 must not wait"));
        assertThat(engine.forbiddenWaits()).hasSize(2).allMatch(w -> w.startsWith("no-waiting-1"));
        assertThat(done(derived)).as("other threads may wait").isZero();
    }
}
