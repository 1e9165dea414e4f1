package dev.ferry.internal.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.PublishRejectedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PendingBytesTest {
    @Test
    void shouldMakeACallerOverTheBoundWaitForRoom() {
        PendingBytes pending = new PendingBytes(100, Duration.ofSeconds(10));
        pending.acquire(80);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> pending.acquire(50));
        await().during(Duration.ofMillis(100)).until(() -> !waiting.isDone());
        pending.release(80);
        await().until(waiting::isDone);
        assertThat(pending.pending()).isEqualTo(50);
        assertThat(pending.waits()).isEqualTo(1);
    }

    @Test
    void shouldRejectACallerThatWaitedTooLong() {
        PendingBytes pending = new PendingBytes(100, Duration.ofMillis(50));
        pending.acquire(100);
        assertThatThrownBy(() -> pending.acquire(1))
                .isInstanceOf(PublishRejectedException.class)
                .hasMessageContaining("maxPendingPublishBytes 100");
        assertThat(pending.pending()).isEqualTo(100);
    }

    @Test
    void shouldAdmitAPublishLargerThanTheWholeBoundAlone() {
        PendingBytes pending = new PendingBytes(100, Duration.ofMillis(50));
        pending.acquire(500);
        assertThat(pending.pending()).isEqualTo(500);
    }
}
