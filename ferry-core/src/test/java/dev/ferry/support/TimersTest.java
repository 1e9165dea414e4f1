package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The process's timer: it keeps time, hands work over, never piles runs up, survives a failing task. */
class TimersTest {
    @Test
    void shouldSkipBeatsWhileTheHandedOverRunIsNotFinished() {
        ConcurrentLinkedQueue<Runnable> handedOver = new ConcurrentLinkedQueue<>();
        AtomicInteger submissions = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger beats = new AtomicInteger();
        ScheduledFuture<?> work = Timers.every(
                Duration.ofMillis(1),
                r -> {
                    submissions.incrementAndGet();
                    handedOver.add(r);
                },
                runs::incrementAndGet);
        ScheduledFuture<?> clock = Timers.every(Duration.ofMillis(1), beats::incrementAndGet);
        try {
            await().until(() -> submissions.get() == 1);
            int seen = beats.get();
            await().until(() -> beats.get() >= seen + 20); // twenty beats with the first run pending
            assertThat(submissions).hasValue(1);

            handedOver.poll().run();
            assertThat(runs).hasValue(1);
            await().until(() -> submissions.get() == 2); // the next beat hands over the next run
        } finally {
            work.cancel(false);
            clock.cancel(false);
        }
    }

    @Test
    void shouldKeepRunningAPeriodicTaskThatThrows() {
        AtomicInteger calls = new AtomicInteger();
        ScheduledFuture<?> failing = Timers.every(Duration.ofMillis(1), () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("expected by the test");
        });
        try {
            await().until(() -> calls.get() >= 3);
        } finally {
            failing.cancel(false);
        }
    }

    @Test
    void shouldRunAOneShotTaskAfterItsDelayOnTheTimerThread() {
        AtomicInteger ran = new AtomicInteger();
        String[] thread = new String[1];
        Timers.schedule(Duration.ofMillis(5), () -> {
            thread[0] = Thread.currentThread().getName();
            ran.incrementAndGet();
        });
        await().until(() -> ran.get() == 1);
        assertThat(thread[0]).startsWith("ferry-timer-");
    }
}
