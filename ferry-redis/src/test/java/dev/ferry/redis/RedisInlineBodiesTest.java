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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A topic with one channel, or none, keeps the bodies of its ready messages inline (id, value pairs
 * in the channel's {@code :qi}, the topic's {@code :heldi}) rather than in the body hash; a claim moves
 * a body to the hash while its message is in flight. A second channel moves nothing: later bodies
 * are shared through the hash, and queued behind the first channel's inline ones in order.
 */
class RedisInlineBodiesTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @RegisterExtension
    static final SharedRedisServer REDIS = new SharedRedisServer();

    private static int opened;

    private final MutableClock clock = MutableClock.start();
    private String prefix;
    private Engine engine;

    @BeforeEach
    void open() {
        prefix = "in" + (++opened);
        engine = Engines.open(REDIS.server().uri() + "?tick=10ms&prefix=" + prefix, clock);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private void publish(String topic, String... bodies) {
        List<PublishRecord> records = new ArrayList<>();
        for (String b : bodies) {
            records.add(PublishRecord.of(b.getBytes(StandardCharsets.UTF_8)));
        }
        engine.append(topic, records).join();
    }

    private List<Lease> claim(String topic, String channel, int max) {
        return engine.claim(topic, channel, max, LEASE).toCompletableFuture().join();
    }

    /** Claims and finishes everything ready on the channel; the bodies in order. */
    private List<String> drain(String topic, String channel) {
        List<String> out = new ArrayList<>();
        for (List<Lease> got = claim(topic, channel, 500); !got.isEmpty(); got = claim(topic, channel, 500)) {
            for (Lease l : got) {
                out.add(new String(l.body(), StandardCharsets.UTF_8));
                assertThat(engine.ack(l).toCompletableFuture().join()).isTrue();
            }
        }
        return out;
    }

    private long number(String... command) {
        return Long.parseLong(REDIS.server().command(command).substring(1));
    }

    private long bodiesInHash(String topic) {
        return number("HLEN", prefix + ":{" + topic + "}:b");
    }

    /** Length of the list {@code <prefix>:{<topic>}<suffix>}. */
    private long listLength(String topic, String suffix) {
        return number("LLEN", prefix + ":{" + topic + "}" + suffix);
    }

    private static List<String> numbers(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).toList();
    }

    private void createChannel(String topic, String channel) {
        engine.createChannel(topic, channel).toCompletableFuture().join();
    }

    @Test
    void shouldKeepAOneChannelTopicsReadyBodiesOutOfTheBodyHashUntilTheyAreClaimed() {
        createChannel("t", "c");
        publish("t", "a", "b", "c");

        assertThat(bodiesInHash("t")).isZero();
        assertThat(listLength("t", ":c:c:qi")).as("three id, value pairs").isEqualTo(6);
        List<Lease> two = claim("t", "c", 2);
        assertThat(two)
                .extracting(l -> new String(l.body(), StandardCharsets.UTF_8))
                .containsExactly("a", "b");
        assertThat(bodiesInHash("t")).as("the bodies in flight").isEqualTo(2);
        assertThat(engine.nack(two.get(0), Duration.ZERO).toCompletableFuture().join())
                .isTrue();
        // the requeued one (its body in the hash) comes before the inline one still waiting
        assertThat(drain("t", "c")).containsExactly("a", "c");
        engine.ack(two.get(1)).toCompletableFuture().join();
        await().atMost(Duration.ofSeconds(10)).until(() -> bodiesInHash("t") == 0);
    }

    @Test
    void shouldHoldInlineBodiesForTheFirstChannelOfATopicWithoutOne() {
        publish("t", "a", "b");
        assertThat(listLength("t", ":heldi")).isEqualTo(4);
        assertThat(engine.stats("t").toCompletableFuture().join().orElseThrow().depth())
                .isEqualTo(2);

        createChannel("t", "c");

        assertThat(listLength("t", ":heldi")).isZero();
        assertThat(bodiesInHash("t")).isZero();
        var stats = engine.stats("t").toCompletableFuture().join().orElseThrow();
        assertThat(stats.channels().get(0).depth()).isEqualTo(2);
        assertThat(stats.channels().get(0).messageCount()).isEqualTo(2);
        assertThat(drain("t", "c")).containsExactly("a", "b");
    }

    @Test
    void shouldKeepTheFirstChannelsInlineBodiesWhenASecondChannelAppearsAndShareTheNextOnes() {
        createChannel("t", "first");
        publish("t", "a", "b");

        createChannel("t", "second");

        assertThat(listLength("t", ":c:first:qi")).as("nothing moved").isEqualTo(4);
        assertThat(bodiesInHash("t")).isZero();
        publish("t", "c");
        assertThat(bodiesInHash("t")).as("shared from now on").isEqualTo(1);
        assertThat(listLength("t", ":c:first:qi"))
                .as("after the first channel's inline pairs, as a pair without a value")
                .isEqualTo(6);
        assertThat(listLength("t", ":c:second:q")).isEqualTo(1);
        assertThat(drain("t", "first")).containsExactly("a", "b", "c");
        assertThat(drain("t", "second")).containsExactly("c");
        await().atMost(Duration.ofSeconds(10)).until(() -> bodiesInHash("t") == 0);
    }

    @Test
    void shouldReleaseASharedBodyQueuedAmongInlineOnesOnlyOnceNoChannelNeedsIt() {
        createChannel("t", "first");
        publish("t", "a");
        createChannel("t", "second");
        publish("t", "b");

        engine.emptyChannel("t", "first").toCompletableFuture().join();

        assertThat(bodiesInHash("t")).as("the second channel still needs it").isEqualTo(1);
        assertThat(drain("t", "second")).containsExactly("b");
        await().atMost(Duration.ofSeconds(10)).until(() -> bodiesInHash("t") == 0);
        assertThat(number("HLEN", prefix + ":{t}:rc")).isZero();
    }

    @Test
    void shouldGiveAPausedTopicsInlineAndHeldMessagesToItsFirstChannelInOrder() {
        publish("t", "before");
        engine.setTopicPaused("t", true).toCompletableFuture().join();
        publish("t", "during");
        engine.setTopicPaused("t", false).toCompletableFuture().join();
        publish("t", "after");

        createChannel("t", "c");

        assertThat(drain("t", "c")).containsExactly("before", "during", "after");
        await().atMost(Duration.ofSeconds(10)).until(() -> bodiesInHash("t") == 0);
    }

    @Test
    void shouldDropTheOldestInlineMessagesOfAnEphemeralChannelPastItsBound() {
        engine.close();
        engine = Engines.open(REDIS.server().uri() + "?tick=10ms&mem-queue-size=3&prefix=" + prefix, clock);
        createChannel("t", "c#ephemeral");
        publish("t", "1", "2", "3", "4", "5");

        var channel = engine.stats("t")
                .toCompletableFuture()
                .join()
                .orElseThrow()
                .channels()
                .get(0);
        assertThat(channel.depth()).isEqualTo(3);
        assertThat(drain("t", "c#ephemeral")).containsExactly("3", "4", "5");
    }

    /**
     * A second channel created while a publisher is running: the first channel gets every message
     * acknowledged to the publisher, once, in order; the second every message whose publish began
     * after it was created, and nothing acknowledged before it was asked for; no body is left behind.
     */
    @Test
    void shouldLoseNothingWhenASecondChannelAppearsUnderARunningPublisher() throws Exception {
        createChannel("t", "first");
        AtomicInteger acknowledged = new AtomicInteger();
        // the messages handed to a publish so far (a publish under way may be stored, not yet acknowledged)
        AtomicInteger handed = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
            int next = 0;
            while (!stop.get()) {
                String[] batch = new String[20];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = Integer.toString(next++);
                }
                handed.set(next);
                publish("t", batch);
                acknowledged.set(next);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= 2_000);
        int before = acknowledged.get();
        createChannel("t", "second");
        int after = handed.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= after + 2_000);
        stop.set(true);
        publisher.get();
        int total = acknowledged.get();

        List<String> first = drain("t", "first");
        List<String> second = drain("t", "second");

        assertThat(first).containsExactlyElementsOf(numbers(0, total));
        int from = Integer.parseInt(second.get(0));
        assertThat(from)
                .as("nothing published before the channel was asked for")
                .isGreaterThanOrEqualTo(before);
        assertThat(from)
                .as("everything whose publish began after it was created")
                .isLessThanOrEqualTo(after);
        assertThat(second).containsExactlyElementsOf(numbers(from, total));
        await().atMost(Duration.ofSeconds(10)).until(() -> bodiesInHash("t") == 0);
        assertThat(number("HLEN", prefix + ":{t}:rc"))
                .as("no reference count left")
                .isZero();
    }
}
