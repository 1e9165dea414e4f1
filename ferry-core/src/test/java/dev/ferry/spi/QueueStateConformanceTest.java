package dev.ferry.spi;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.NotFoundException;
import dev.ferry.spi.QueueStateStore.QueueState;
import dev.ferry.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Engine#queueState()}, written once and run against every engine (beside
 * {@link EngineConformanceTest}). The engine's clock is a {@link MutableClock}.
 */
public abstract class QueueStateConformanceTest {
    protected static final Duration TTL = Duration.ofSeconds(10);
    protected MutableClock clock;
    protected Engine engine;
    protected QueueStateStore store;

    /**
     * Opens the engine under test on {@code clock}.
     */
    protected abstract Engine open(Clock clock);

    @BeforeEach
    void openEngine() {
        clock = MutableClock.start();
        engine = open(clock);
        store = engine.queueState();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    private void publish(String topic, String body) {
        engine.append(topic, List.of(PublishRecord.of(body.getBytes(StandardCharsets.UTF_8))))
                .join();
    }

    @Test
    void shouldCreateOnFirstAttachAndSayItExistedAfter() {
        assertThat(store.state("q")).isEmpty();
        assertThat(store.attach("q", "a", TTL, Duration.ZERO)).isFalse();
        assertThat(store.attach("q", "b", TTL, Duration.ZERO)).isTrue();
        assertThat(store.attach("q", "a", TTL, Duration.ZERO)).isTrue();
        assertThat(store.state("q")).contains(new QueueState("q", TTL, 2, Map.of()));
    }

    @Test
    void shouldSetTtlOnEveryAttach() {
        store.attach("q", "a", TTL, Duration.ZERO);
        store.attach("q", "b", Duration.ofSeconds(3), Duration.ZERO);
        assertThat(store.state("q").orElseThrow().ttl()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void shouldRefuseTtlUnderOneMillisecond() {
        assertThatThrownBy(() -> store.attach("q", "a", Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl");
    }

    @Test
    void shouldExpireTtlAfterTheLastDetachAndDeleteTheTopic() {
        store.attach("q", "a", TTL, Duration.ZERO);
        store.attach("q", "b", TTL, Duration.ZERO);
        done(engine.createChannel("q", "queue"));
        publish("q", "lost");
        assertThat(store.detach("q", "a")).isTrue();
        assertThat(store.detach("q", "a")).isFalse();
        clock.advance(TTL.multipliedBy(2));
        assertThat(store.state("q")).isPresent();
        store.detach("q", "b");
        clock.advance(TTL.minusMillis(1));
        assertThat(store.state("q")).isPresent();
        clock.advance(Duration.ofMillis(1));
        await().until(() -> done(engine.stats("q")).isEmpty());
        assertThat(store.state("q")).isEmpty();
        assertThat(store.attach("q", "a", TTL, Duration.ZERO)).isFalse();
    }

    @Test
    void shouldExpireInTheBackgroundWithoutCalls() {
        store.attach("q", "a", TTL, Duration.ZERO);
        done(engine.createTopic("q"));
        store.detach("q", "a");
        clock.advance(TTL);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> done(engine.stats("q")).isEmpty());
    }

    @Test
    void shouldDropAnAttachmentWhoseLeaseLapses() {
        store.attach("q", "remote", TTL, Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(20));
        store.attach("q", "remote", TTL, Duration.ofSeconds(30)); // renewed
        clock.advance(Duration.ofSeconds(29));
        assertThat(store.state("q").orElseThrow().attachments()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(store.state("q").orElseThrow().attachments()).isZero();
        clock.advance(TTL);
        assertThat(store.state("q")).isEmpty();
    }

    @Test
    void shouldKeepMetadata() {
        assertThatThrownBy(() -> store.setMetadata("q", "k", "v"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("'q'");
        store.attach("q", "a", TTL, Duration.ZERO);
        store.setMetadata("q", "k", "v");
        store.setMetadata("q", "x", "y");
        store.setMetadata("q", "x", null);
        assertThat(store.state("q").orElseThrow().metadata()).isEqualTo(Map.of("k", "v"));
    }

    @Test
    void shouldDestroyStateAndTopic() {
        store.attach("q", "a", TTL, Duration.ZERO);
        publish("q", "gone");
        assertThat(store.destroy("q")).isTrue();
        assertThat(store.state("q")).isEmpty();
        assertThat(done(engine.stats("q"))).isEmpty();
        assertThat(store.destroy("q")).isFalse();
        assertThat(store.detach("q", "a")).isFalse();
    }

    @Test
    void shouldKeepQueuesApart() {
        store.attach("a", "x", TTL, Duration.ZERO);
        store.attach("b", "x", Duration.ofSeconds(1), Duration.ZERO);
        store.detach("b", "x");
        clock.advance(Duration.ofSeconds(2));
        assertThat(store.state("a")).isPresent();
        assertThat(store.state("b")).isEmpty();
    }
}
