package dev.ferry.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.NotFoundException;
import dev.ferry.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Async work: Kamailio's ranges, timers on an injected clock, groups, data, events. */
class AsyncTest {
    private final MutableClock clock = MutableClock.start();
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blockedStarted = new CountDownLatch(1);
    private Async async;

    private Async.Builder builder() {
        return Async.builder()
                .clock(clock)
                .millisecondTimer(Duration.ofMillis(2))
                .route(
                        "R",
                        task -> ran.add(task.route() + "|" + task.group() + "|" + task.data() + "|"
                                + Thread.currentThread().getName()))
                .route("BLOCK", task -> {
                    blockedStarted.countDown();
                    release.await();
                })
                .route("FAIL", task -> {
                    throw new IllegalStateException("route failed on purpose");
                });
    }

    @AfterEach
    void close() {
        release.countDown();
        if (async != null) {
            async.close();
        }
    }

    /** Waits until the timer has ticked twice more, so it has seen the clock's current time. */
    private void letTimerLook() {
        long ticks = async.timerTicks();
        await().until(() -> async.timerTicks() >= ticks + 2);
    }

    @Test
    void shouldRunAMillisecondRouteAtItsDueTimeOnTheInjectedClock() throws Exception {
        async = builder().start();
        CompletableFuture<Void> done = async.route("R", Duration.ofMillis(250));
        assertThat(async.pendingTimers()).isEqualTo(1);
        clock.advance(Duration.ofMillis(249));
        letTimerLook();
        assertThat(ran).isEmpty();
        assertThat(done).isNotDone();
        clock.advance(Duration.ofMillis(1));
        done.get(10, TimeUnit.SECONDS);
        assertThat(ran).singleElement().asString().startsWith("R|default||ferry-async-default-");
        assertThat(async.pendingTimers()).isZero();
    }

    @Test
    void shouldRunASecondRouteAfterItsSeconds() throws Exception {
        async = builder().millisecondTimer(Duration.ZERO).start(); // whole seconds do not need the millisecond timer
        CompletableFuture<Void> done = async.route("R", Duration.ofSeconds(4));
        clock.advance(Duration.ofMillis(3_999));
        long ticks = async.timerTicks();
        await().atMost(Duration.ofSeconds(5)).until(() -> async.timerTicks() >= ticks + 2);
        assertThat(done).isNotDone();
        clock.advance(Duration.ofMillis(1));
        done.get(10, TimeUnit.SECONDS);
        assertThat(ran).hasSize(1);
    }

    @Test
    void shouldRunDueRoutesInDueOrder() {
        async = builder()
                .route("LATE", task -> ran.add("LATE"))
                .route("EARLY", task -> ran.add("EARLY"))
                .start();
        CompletableFuture<Void> late = async.route("LATE", Duration.ofMillis(30));
        CompletableFuture<Void> early = async.route("EARLY", Duration.ofMillis(20));
        clock.advance(Duration.ofMillis(30)); // both due at the same tick
        CompletableFuture.allOf(late, early).join();
        assertThat(ran).containsExactly("EARLY", "LATE");
        assertThat(async.pendingTimers()).isZero();
    }

    @Test
    void shouldRejectDelaysOutsideKamailiosRanges() {
        async = builder().start();
        assertThatThrownBy(() -> async.route("R", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route \"R\": a delay of whole seconds must be 1-99 s, got 0 s");
        assertThatThrownBy(() -> async.route("R", Duration.ofSeconds(100)))
                .hasMessage("route \"R\": a delay of whole seconds must be 1-99 s, got 100 s");
        assertThatThrownBy(() -> async.route("R", Duration.ofMillis(30_001)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route \"R\": a delay with milliseconds must be 1-29999 ms, got 30001 ms");
        assertThatThrownBy(() -> async.route("R", Duration.ofMillis(-250)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a delay must be a positive whole number of milliseconds");
        assertThatThrownBy(() -> async.route("R", Duration.ofNanos(1_500_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route \"R\": a delay must be a positive whole number of milliseconds, got PT0.0015S");
        assertThatThrownBy(() -> async.sleep(Duration.ofSeconds(100))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> async.sleep(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> async.sleep(Duration.ofMillis(30_500))).isInstanceOf(IllegalArgumentException.class);
        assertThat(async.route("R", Duration.ofSeconds(1))).isNotNull();
        assertThat(async.route("R", Duration.ofSeconds(99))).isNotNull();
        assertThat(async.route("R", Duration.ofMillis(1))).isNotNull();
        assertThat(async.route("R", Duration.ofMillis(29_999))).isNotNull();
        assertThat(async.pendingTimers()).isEqualTo(4);
    }

    @Test
    void shouldNeedTheMillisecondTimerForDelaysWithMilliseconds() {
        async = builder().millisecondTimer(Duration.ZERO).start();
        assertThatThrownBy(() -> async.route("R", Duration.ofMillis(250)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("route \"R\": a delay with milliseconds (250 ms) needs the millisecond timer: set"
                        + " Async.Builder.millisecondTimer above zero");
        assertThatThrownBy(() -> async.sleep(Duration.ofMillis(1_250))).isInstanceOf(IllegalStateException.class);
        assertThat(async.route("R", Duration.ofMillis(2_000)))
                .as("whole seconds do not need the millisecond timer, however they are written")
                .isNotNull();
    }

    @Test
    void shouldRejectAMillisecondTimerThatIsNegativeOrFinerThanAMillisecond() {
        assertThatThrownBy(() -> Async.builder().millisecondTimer(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Async.builder().millisecondTimer(Duration.ofNanos(500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the millisecond timer's resolution must be zero (off) or a positive whole number of"
                        + " milliseconds, got PT0.0000005S");
    }

    @Test
    void shouldContinueASleepOnAWorker() throws Exception {
        async = builder().start();
        CompletableFuture<String> after = async.sleep(Duration.ofMillis(50))
                .thenApply(v -> Thread.currentThread().getName());
        CompletableFuture<String> afterSeconds = async.sleep(Duration.ofSeconds(2))
                .thenApply(v -> Thread.currentThread().getName());
        clock.advance(Duration.ofMillis(50));
        assertThat(after.get(10, TimeUnit.SECONDS)).startsWith("ferry-async-default-");
        assertThat(afterSeconds).isNotDone();
        clock.advance(Duration.ofSeconds(2));
        assertThat(afterSeconds.get(10, TimeUnit.SECONDS)).startsWith("ferry-async-default-");
    }

    @Test
    void shouldRunTasksAtOnceInTheirGroupWithTheirData() throws Exception {
        async = builder().group("name=abc;workers=2;nonblock=0;usleep=0").start();
        async.taskRoute("R").get(10, TimeUnit.SECONDS);
        async.taskGroupRoute("R", "abc").get(10, TimeUnit.SECONDS);
        async.taskData("R", "caller: alice").get(10, TimeUnit.SECONDS);
        async.taskGroupData("R", "abc", "callee: bob").get(10, TimeUnit.SECONDS);
        assertThat(ran).hasSize(4);
        assertThat(ran.get(0)).startsWith("R|default||ferry-async-default-");
        assertThat(ran.get(1)).startsWith("R|abc||ferry-async-abc-");
        assertThat(ran.get(2)).startsWith("R|default|caller: alice|ferry-async-default-");
        assertThat(ran.get(3)).startsWith("R|abc|callee: bob|ferry-async-abc-");
    }

    @Test
    void shouldRejectAnUnknownGroupOrRouteInsteadOfDroppingTheTask() {
        async = builder().group("name=abc;workers=1").start();
        assertThatThrownBy(() -> async.taskGroupRoute("R", "nope"))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("no async group \"nope\" (groups: default, abc)");
        assertThatThrownBy(() -> async.taskGroupData("R", "nope", "x")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> async.taskRoute("NOPE"))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("no async route \"NOPE\" (registered: BLOCK, FAIL, R)");
        assertThatThrownBy(() -> async.route("NOPE", Duration.ofMillis(10))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void shouldRejectAtOnceWhenANonblockGroupIsFull() throws Exception {
        async = builder().queueCapacity(1).group("name=nb;workers=1;nonblock=1").start();
        CompletableFuture<Void> running = async.taskGroupRoute("BLOCK", "nb");
        assertThat(blockedStarted.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> queued = async.taskGroupData("R", "nb", "queued");
        assertThatThrownBy(() -> async.taskGroupData("R", "nb", "rejected"))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("async group \"nb\" is full (1 tasks queued, nonblock=1): route R rejected");
        assertThat(async.stats().get(1)).isEqualTo(new AsyncGroupStats("nb", 1, 1, 1, 0, 0, 1));
        release.countDown();
        running.get(10, TimeUnit.SECONDS);
        queued.get(10, TimeUnit.SECONDS);
        assertThat(ran).singleElement().asString().contains("queued");
    }

    @Test
    void shouldBlockTheCallerWhileABlockingGroupIsFull() throws Exception {
        async = builder().queueCapacity(1).group("name=b;workers=1;nonblock=0").start();
        async.taskGroupRoute("BLOCK", "b");
        assertThat(blockedStarted.await(10, TimeUnit.SECONDS)).isTrue();
        async.taskGroupData("R", "b", "queued");
        CompletableFuture<CompletableFuture<Void>> third = new CompletableFuture<>();
        Thread caller = new Thread(() -> third.complete(async.taskGroupData("R", "b", "third")));
        caller.start();
        await().until(() -> caller.getState() == Thread.State.WAITING);
        assertThat(third).isNotDone();
        release.countDown();
        third.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        assertThat(ran).hasSize(2);
        assertThat(async.stats().get(1).rejected()).isZero();
    }

    @Test
    void shouldLetAnyIdleWorkerOfTheGroupTakeTheNextTask() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        async = builder()
                .group("name=pair;workers=2")
                .route("MEET", task -> {
                    bothRunning.countDown();
                    assertThat(bothRunning.await(10, TimeUnit.SECONDS)).isTrue();
                })
                .start();
        CompletableFuture<Void> a = async.taskGroupRoute("MEET", "pair");
        CompletableFuture<Void> b = async.taskGroupRoute("MEET", "pair");
        CompletableFuture.allOf(a, b).get(20, TimeUnit.SECONDS);
    }

    @Test
    void shouldRunTheTypeKeyValueHandlerInAWorker() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        async = builder()
                .eventHandler((type, key, value) -> events.add(type + "/" + key + "/" + value + "/"
                        + Thread.currentThread().getName()))
                .start();
        async.emitEvent("8000", "call", "caller='alice';callee='bob'").get(10, TimeUnit.SECONDS);
        assertThat(events).singleElement().asString().startsWith("8000/call/caller='alice';callee='bob'/ferry-async-");
    }

    @Test
    void shouldRefuseEventsWithoutAHandler() {
        async = builder().start();
        assertThatThrownBy(() -> async.emitEvent("t", "k", "v"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no event handler registered (Async.Builder.eventHandler)");
    }

    @Test
    void shouldFailTheFutureOfARouteThatThrowsAndCountIt() {
        async = builder().start();
        CompletableFuture<Void> f = async.taskRoute("FAIL");
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("route failed on purpose");
        await().until(() -> async.stats().get(0).failed() == 1);
        async.taskRoute("R").join(); // the worker goes on
    }

    @Test
    void shouldCancelPendingTimersAndQueuedTasksOnClose() throws Exception {
        async = builder().queueCapacity(5).start();
        CompletableFuture<Void> timed = async.route("R", Duration.ofMillis(1_000));
        async.taskRoute("BLOCK");
        assertThat(blockedStarted.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> queued = async.taskRoute("R");
        Thread closer = new Thread(async::close);
        closer.start();
        await().until(() -> timed.isDone() && queued.isDone());
        release.countDown();
        closer.join(10_000);
        assertThatThrownBy(timed::join).hasCauseInstanceOf(CancellationException.class);
        assertThatThrownBy(queued::join).hasCauseInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> async.taskRoute("R")).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void shouldParseGroupDefinitionsInKamailiosSyntax() {
        assertThat(AsyncGroupDefinition.parse("name=abc;workers=4;nonblock=0;usleep=0"))
                .isEqualTo(new AsyncGroupDefinition("abc", 4, false, Duration.ZERO));
        assertThat(AsyncGroupDefinition.parse("name=tkv; workers=1; nonblock=1; usleep=500;"))
                .isEqualTo(new AsyncGroupDefinition("tkv", 1, true, Duration.ofNanos(500_000))); // 500 µs
        assertThatThrownBy(() -> AsyncGroupDefinition.parse("workers=4"))
                .hasMessage("async group definition \"workers=4\" has no name");
        assertThatThrownBy(() -> AsyncGroupDefinition.parse("name=a"))
                .hasMessage("async group definition \"name=a\" has no workers");
        assertThatThrownBy(() -> AsyncGroupDefinition.parse("name=a;workers=0"))
                .hasMessage(
                        "async group definition \"name=a;workers=0\": async group \"a\": workers must be at least 1,"
                                + " got 0");
        assertThatThrownBy(() -> AsyncGroupDefinition.parse("name=a;workers=1;nonblock=2"))
                .hasMessage("async group definition \"name=a;workers=1;nonblock=2\": nonblock must be 0 or 1, got 2");
        assertThatThrownBy(() -> AsyncGroupDefinition.parse("name=a;workers=1;speed=9"))
                .hasMessageContaining("unknown attribute \"speed\"");
        assertThatThrownBy(() -> Async.builder().group("name=a;workers=1").group("name=a;workers=2"))
                .hasMessage("async group \"a\" is defined twice");
    }
}
