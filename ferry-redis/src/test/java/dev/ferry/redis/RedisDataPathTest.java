package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.redis.testing.SharedRedisServer;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Engines;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the data path's shortcuts keep: a publish batch whose delays differ (sent with one delay per
 * message, not one for the batch), attempts kept implicit on a first delivery and written once a
 * message comes back, and the keys a finished message leaves behind (none).
 */
class RedisDataPathTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @RegisterExtension
    static final SharedRedisServer REDIS = new SharedRedisServer();

    private static int opened;

    private final MutableClock clock = MutableClock.start();
    private String prefix;
    private Engine engine;

    @BeforeEach
    void open() {
        prefix = "dp" + (++opened);
        engine = Engines.open(REDIS.server().uri() + "?tick=10ms&prefix=" + prefix, clock);
        engine.createChannel("t", "c").toCompletableFuture().join();
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static PublishRecord record(String body, long deferMillis) {
        return new PublishRecord(body.getBytes(StandardCharsets.UTF_8), deferMillis);
    }

    private List<Lease> claim(int max) {
        return engine.claim("t", "c", max, LEASE).toCompletableFuture().join();
    }

    private static List<String> bodies(List<Lease> leases) {
        return leases.stream()
                .map(l -> new String(l.body(), StandardCharsets.UTF_8))
                .toList();
    }

    private long attemptsCounted() {
        return Long.parseLong(
                REDIS.server().command("HLEN", prefix + ":{t}:c:c:a").substring(1));
    }

    private long bodiesStored() {
        return Long.parseLong(REDIS.server().command("HLEN", prefix + ":{t}:b").substring(1));
    }

    @Test
    void shouldPublishABatchWhoseDelaysDifferEachMessageOnItsOwnTime() {
        engine.append("t", List.of(record("now-1", 0), record("later", 1_000), record("now-2", 0)))
                .join();

        assertThat(bodies(claim(10))).containsExactly("now-1", "now-2");
        clock.advance(Duration.ofMillis(999));
        assertThat(claim(10)).as("not due yet").isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(bodies(claim(10))).containsExactly("later");
    }

    @Test
    void shouldDelayEveryMessageOfABatchThatSharesOneDelay() {
        engine.append("t", List.of(record("a", 500), record("b", 500))).join();

        assertThat(claim(10)).isEmpty();
        clock.advance(Duration.ofMillis(500));
        assertThat(bodies(claim(10))).containsExactly("a", "b");
    }

    @Test
    void shouldKeepNoAttemptsCountForAFirstDeliveryAndNothingOnceItIsFinished() {
        engine.append("t", List.of(record("a", 0), record("b", 0), record("c", 0)))
                .join();

        List<Lease> leases = claim(10);

        assertThat(leases).extracting(Lease::attempts).containsExactly(1, 1, 1);
        assertThat(attemptsCounted()).as("first deliveries write no count").isZero();
        for (Lease l : leases) {
            assertThat(engine.ack(l).toCompletableFuture().join()).isTrue();
        }
        // a FIN of a lease this node holds is answered at once and written to Redis in the background
        await().atMost(Duration.ofSeconds(10)).until(() -> bodiesStored() == 0);
        assertThat(attemptsCounted()).isZero();
        assertThat(REDIS.server().command("EXISTS", prefix + ":{t}:rc"))
                .as("one channel needs no counts")
                .isEqualTo(":0");
    }

    @Test
    void shouldCountAFirstDeliveryOnceItIsRequeuedAndRefuseItsLeaseAfterTheRedelivery() {
        engine.append("t", List.of(record("a", 0))).join();
        Lease first = claim(1).get(0);

        assertThat(engine.nack(first, Duration.ZERO).toCompletableFuture().join())
                .isTrue();
        assertThat(attemptsCounted())
                .as("the requeued first delivery is counted")
                .isEqualTo(1);
        Lease second = claim(1).get(0);

        assertThat(second.attempts()).isEqualTo(2);
        assertThat(engine.extend(first, LEASE).toCompletableFuture().join())
                .as("the first lease is stale")
                .isFalse();
        assertThat(engine.ack(second).toCompletableFuture().join()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> attemptsCounted() == 0 && bodiesStored() == 0);
    }

    @Test
    void shouldCountAFirstDeliveryWhoseLeaseTimedOutAndDeliverItAgainWithTwoAttempts() {
        engine.append("t", List.of(record("a", 0))).join();
        Lease first = claim(1).get(0);

        clock.advance(LEASE.plusMillis(1));
        Lease second = claim(1).get(0);

        assertThat(second.attempts()).isEqualTo(2);
        assertThat(attemptsCounted()).isEqualTo(1);
        assertThat(engine.nack(first, Duration.ZERO).toCompletableFuture().join())
                .as("the timed-out lease is stale")
                .isFalse();
        assertThat(engine.nack(second, Duration.ZERO).toCompletableFuture().join())
                .isTrue();
        assertThat(claim(1)).extracting(Lease::attempts).containsExactly(3);
    }
}
