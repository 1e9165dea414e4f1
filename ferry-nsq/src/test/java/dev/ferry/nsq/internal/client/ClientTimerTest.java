package dev.ferry.nsq.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.support.Timers;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientTimerTest {
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ClientTimer timer = new ClientTimer(loops);

    @AfterEach
    void stop() {
        timer.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aTaskRunsOnOneOfTheBusEventLoopsNotOnTheTimer() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        timer.schedule(Duration.ofMillis(5), () -> ranOn.set(Thread.currentThread()));

        await().until(() -> ranOn.get() != null);
        assertThat(loops.next().inEventLoop(ranOn.get())).isTrue();
        assertThat(ranOn.get().getName()).doesNotStartWith("ferry-timer-");
    }

    @Test
    void aPeriodicTaskRepeats() {
        AtomicInteger runs = new AtomicInteger();
        var future = timer.every(Duration.ofMillis(2), runs::incrementAndGet);

        await().until(() -> runs.get() >= 3);
        assertThat(future.cancel(false)).isTrue();
    }

    @Test
    void aBlockingTaskRunsOnAVirtualThread() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        timer.everyBlocking(Duration.ofMillis(2), () -> ranOn.compareAndSet(null, Thread.currentThread()));

        await().until(() -> ranOn.get() != null);
        assertThat(ranOn.get().isVirtual()).isTrue();
    }

    @Test
    void afterCloseAOneShotTaskThatComesDueDoesNothing() throws InterruptedException {
        AtomicBoolean ran = new AtomicBoolean();
        timer.schedule(Duration.ofMillis(5), () -> ran.set(true));
        timer.close();
        // the process timer runs tasks in due order, and the loop runs hand-overs in order: once this
        // later task has run on the same loop, the closed one has come due and been dropped
        CountDownLatch later = new CountDownLatch(1);
        Timers.schedule(Duration.ofMillis(20), () -> loops.next().execute(later::countDown));

        assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).isFalse();
    }

    @Test
    void afterCloseThePeriodicTasksAreCancelled() {
        var future = timer.every(Duration.ofMillis(2), () -> {});
        timer.close();

        assertThat(future.isCancelled()).isTrue();
        assertThat(timer.every(Duration.ofMillis(2), () -> {}).isCancelled()).isTrue();
    }
}
