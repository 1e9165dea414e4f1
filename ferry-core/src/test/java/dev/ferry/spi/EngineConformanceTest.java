package dev.ferry.spi;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.ChannelStats;
import dev.ferry.DeadLetter;
import dev.ferry.NotFoundException;
import dev.ferry.TopicStats;
import dev.ferry.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine SPI's contract, written once and run against every engine. A subclass says how to
 * open its engine with the given configuration builder (which carries a {@link MutableClock}).
 */
public abstract class EngineConformanceTest {
    protected static final Duration LEASE = Duration.ofSeconds(30);
    protected MutableClock clock;
    protected Engine engine;

    /**
     * Opens the engine under test on {@code clock}, with its ephemeral topics and channels bounded
     * at 100 messages ({@code mem-queue-size=100} for the embedded engine).
     */
    protected abstract Engine open(Clock clock);

    /**
     * Closes {@link #engine} and opens the engine again on the same storage, for engines that keep
     * their state across a restart; {@code null} (the default) for engines that keep nothing, whose
     * restart tests are then skipped.
     */
    protected Engine reopen() {
        return null;
    }

    @BeforeEach
    void openEngine() {
        clock = MutableClock.start();
        engine = open(clock);
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(Lease lease) {
        return new String(lease.body(), StandardCharsets.UTF_8);
    }

    protected void publish(String topic, String... bodies) {
        List<PublishRecord> batch = new ArrayList<>();
        for (String b : bodies) {
            batch.add(PublishRecord.of(bytes(b)));
        }
        engine.append(topic, batch).join();
    }

    protected List<String> claimAll(String topic, String channel) {
        return done(engine.claim(topic, channel, 10_000, LEASE)).stream()
                .map(EngineConformanceTest::text)
                .toList();
    }

    protected ChannelStats channelStats(String topic, String channel) {
        return done(engine.stats(topic)).orElseThrow().channels().stream()
                .filter(c -> c.name().equals(channel))
                .findFirst()
                .orElseThrow();
    }

    /** Waits until the engine's timer has noticed the clock moved and made the message ready. */
    protected List<Lease> awaitClaim(String topic, String channel, int max) {
        List<Lease> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            got.addAll(done(engine.claim(topic, channel, max - got.size(), LEASE)));
            return got.size() >= max;
        });
        return got;
    }

    @Test
    void shouldDeliverInPublishOrderWithAttemptsOneAndHexIds() {
        done(engine.createChannel("t", "c"));
        publish("t", "a", "b", "c");
        List<Lease> leases = done(engine.claim("t", "c", 10, LEASE));
        assertThat(leases).extracting(EngineConformanceTest::text).containsExactly("a", "b", "c");
        assertThat(leases).allSatisfy(l -> assertThat(l.attempts()).isEqualTo(1));
        assertThat(leases).allSatisfy(l -> assertThat(l.idHex()).matches("[0-9a-f]{16}"));
        assertThat(leases).extracting(Lease::messageId).doesNotHaveDuplicates();
    }

    @Test
    void shouldGiveEveryChannelEveryMessage() {
        done(engine.createChannel("t", "one"));
        done(engine.createChannel("t", "two"));
        publish("t", "a", "b");
        assertThat(claimAll("t", "one")).containsExactly("a", "b");
        assertThat(claimAll("t", "two")).containsExactly("a", "b");
    }

    @Test
    void shouldShareOneChannelBetweenItsConsumers() {
        done(engine.createChannel("t", "c"));
        publish("t", "a", "b", "c", "d");
        List<String> first = done(engine.claim("t", "c", 2, LEASE)).stream()
                .map(EngineConformanceTest::text)
                .toList();
        List<String> second = claimAll("t", "c");
        assertThat(first).containsExactly("a", "b");
        assertThat(second).containsExactly("c", "d");
    }

    @Test
    void shouldNeverHandOutMoreThanAsked() {
        done(engine.createChannel("t", "c"));
        publish("t", "a", "b", "c");
        assertThat(done(engine.claim("t", "c", 2, LEASE))).hasSize(2);
        assertThat(done(engine.claim("t", "c", 0, LEASE))).isEmpty();
    }

    @Test
    void shouldKeepMessagesOfATopicWithoutChannelsForTheFirstChannel() {
        publish("t", "a", "b");
        assertThat(done(engine.stats("t")).orElseThrow().depth()).isEqualTo(2);
        done(engine.createChannel("t", "first"));
        publish("t", "c");
        done(engine.createChannel("t", "second"));
        publish("t", "d");
        assertThat(claimAll("t", "first")).containsExactly("a", "b", "c", "d");
        assertThat(claimAll("t", "second")).containsExactly("d");
    }

    @Test
    void shouldRedeliverAfterTimeoutWithAttemptsIncremented() {
        done(engine.createChannel("t", "c"));
        publish("t", "a");
        Lease first = done(engine.claim("t", "c", 1, Duration.ofSeconds(1))).get(0);
        assertThat(done(engine.claim("t", "c", 1, LEASE))).isEmpty();
        clock.advance(Duration.ofMillis(1001));
        Lease again = awaitClaim("t", "c", 1).get(0);
        assertThat(again.attempts()).isEqualTo(2);
        assertThat(again.messageId()).isEqualTo(first.messageId());
        assertThat(channelStats("t", "c").timeoutCount()).isEqualTo(1);
        assertThat(done(engine.ack(first))).as("a stale lease is refused").isFalse();
        assertThat(done(engine.ack(again))).isTrue();
        assertThat(done(engine.ack(again))).as("a second FIN is refused").isFalse();
    }

    @Test
    void shouldExtendALeaseOnTouch() {
        done(engine.createChannel("t", "c"));
        publish("t", "a");
        Lease lease = done(engine.claim("t", "c", 1, Duration.ofSeconds(1))).get(0);
        clock.advance(Duration.ofMillis(800));
        assertThat(done(engine.extend(lease, Duration.ofSeconds(1)))).isTrue();
        clock.advance(Duration.ofMillis(800));
        // the original deadline has passed: wait for the engine to have looked at it
        await().pollDelay(Duration.ofMillis(60)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(done(engine.claim("t", "c", 1, LEASE))).isEmpty();
        assertThat(done(engine.ack(lease))).isTrue();
    }

    @Test
    void shouldRequeueAtOnceOrAfterADelay() {
        done(engine.createChannel("t", "c"));
        publish("t", "now", "later");
        List<Lease> leases = done(engine.claim("t", "c", 2, LEASE));
        assertThat(done(engine.nack(leases.get(0), Duration.ZERO))).isTrue();
        assertThat(done(engine.nack(leases.get(1), Duration.ofSeconds(5)))).isTrue();
        List<Lease> ready = done(engine.claim("t", "c", 10, LEASE));
        assertThat(ready).extracting(EngineConformanceTest::text).containsExactly("now");
        assertThat(ready.get(0).attempts()).isEqualTo(2);
        assertThat(channelStats("t", "c").deferred()).isEqualTo(1);
        assertThat(channelStats("t", "c").requeueCount()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(5));
        Lease later = awaitClaim("t", "c", 1).get(0);
        assertThat(text(later)).isEqualTo("later");
        assertThat(later.attempts()).isEqualTo(2);
    }

    @Test
    void shouldDeliverADeferredPublishAtItsDueTime() {
        done(engine.createChannel("t", "c"));
        engine.append("t", List.of(new PublishRecord(bytes("soon"), 10_000))).join();
        engine.append("t", List.of(new PublishRecord(bytes("hour"), 3_600_000))).join();
        publish("t", "plain");
        List<Lease> plain = done(engine.claim("t", "c", 10, LEASE));
        assertThat(plain).extracting(EngineConformanceTest::text).containsExactly("plain");
        done(engine.ack(plain.get(0)));
        assertThat(channelStats("t", "c").deferred()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(10));
        List<Lease> soon = awaitClaim("t", "c", 1);
        assertThat(soon).extracting(EngineConformanceTest::text).containsExactly("soon");
        done(engine.ack(soon.get(0)));
        clock.advance(Duration.ofMinutes(59));
        assertThat(done(engine.claim("t", "c", 10, LEASE))).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(awaitClaim("t", "c", 1))
                .extracting(EngineConformanceTest::text)
                .containsExactly("hour");
    }

    @Test
    void shouldCountDeferredPublishesAsDeferredBeforeAnyConsumerReadsThem() {
        done(engine.createChannel("t", "c"));
        engine.append("t", List.of(new PublishRecord(bytes("later"), 5_000))).join();
        publish("t", "now");
        assertThat(channelStats("t", "c").deferred()).isEqualTo(1);
        assertThat(channelStats("t", "c").depth()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(5));
        assertThat(channelStats("t", "c").deferred()).isZero();
        assertThat(channelStats("t", "c").depth()).isEqualTo(2);
        assertThat(claimAll("t", "c")).containsExactly("later", "now");
    }

    @Test
    void shouldPauseAndUnpauseAChannelAndATopic() {
        done(engine.createChannel("t", "c"));
        publish("t", "a");
        done(engine.setChannelPaused("t", "c", true));
        assertThat(done(engine.claim("t", "c", 10, LEASE))).isEmpty();
        assertThat(channelStats("t", "c").paused()).isTrue();
        done(engine.setChannelPaused("t", "c", false));
        assertThat(claimAll("t", "c")).containsExactly("a");
        done(engine.setTopicPaused("t", true));
        publish("t", "b");
        assertThat(done(engine.claim("t", "c", 10, LEASE))).isEmpty();
        assertThat(done(engine.stats("t")).orElseThrow().paused()).isTrue();
        done(engine.setTopicPaused("t", false));
        assertThat(claimAll("t", "c")).containsExactly("b");
    }

    private TopicStats topicStats(String topic) {
        return done(engine.stats(topic)).orElseThrow();
    }

    /** nsqd 1.3.0, observed side by side: a paused topic keeps what is published to it. */
    @Test
    void shouldKeepMessagesPublishedDuringATopicPauseInTheTopicUntilItResumes() {
        done(engine.createChannel("t", "c"));
        publish("t", "before1", "before2");
        done(engine.setTopicPaused("t", true));
        publish("t", "held1", "held2", "held3");
        // the topic holds them; the channel keeps only what it had before the pause
        assertThat(topicStats("t").depth()).isEqualTo(3);
        assertThat(channelStats("t", "c").depth()).isEqualTo(2);
        assertThat(channelStats("t", "c").messageCount()).isEqualTo(2);
        // a channel created during the pause receives them when the pause ends
        done(engine.createChannel("t", "late"));
        assertThat(channelStats("t", "late").depth()).isZero();
        // what the channel had before the pause is still delivered during it
        assertThat(claimAll("t", "c")).containsExactly("before1", "before2");
        done(engine.setTopicPaused("t", false));
        assertThat(topicStats("t").depth()).isZero();
        assertThat(channelStats("t", "c").depth()).isEqualTo(3);
        assertThat(channelStats("t", "c").messageCount()).isEqualTo(5);
        assertThat(channelStats("t", "late").depth()).isEqualTo(3);
        assertThat(claimAll("t", "c")).containsExactly("held1", "held2", "held3");
        assertThat(claimAll("t", "late")).containsExactly("held1", "held2", "held3");
        publish("t", "after");
        assertThat(claimAll("t", "late")).containsExactly("after");
    }

    @Test
    void shouldDropWhatAPausedTopicHoldsWhenEmptiedAndKeepWhatItsChannelsHave() {
        done(engine.createChannel("t", "c"));
        publish("t", "mine1", "mine2");
        done(engine.setTopicPaused("t", true));
        publish("t", "dropped1", "dropped2");
        done(engine.createChannel("t", "late"));
        done(engine.emptyTopic("t"));
        assertThat(topicStats("t").depth()).isZero();
        assertThat(channelStats("t", "c").depth()).isEqualTo(2);
        publish("t", "kept");
        assertThat(topicStats("t").depth()).isEqualTo(1);
        done(engine.setTopicPaused("t", false));
        assertThat(channelStats("t", "c").depth()).isEqualTo(3);
        assertThat(channelStats("t", "c").messageCount()).isEqualTo(3);
        assertThat(channelStats("t", "late").depth()).isEqualTo(1);
        assertThat(claimAll("t", "c")).containsExactly("mine1", "mine2", "kept");
        assertThat(claimAll("t", "late")).containsExactly("kept");
    }

    @Test
    void shouldNotHandAPausedTopicsMessagesToAChannelEmptiedDuringThePause() {
        done(engine.createChannel("t", "c"));
        publish("t", "old");
        done(engine.setTopicPaused("t", true));
        publish("t", "held");
        done(engine.emptyChannel("t", "c"));
        assertThat(channelStats("t", "c").depth()).isZero();
        assertThat(topicStats("t").depth()).isEqualTo(1);
        done(engine.setTopicPaused("t", false));
        assertThat(claimAll("t", "c")).containsExactly("held");
    }

    /** nsqd counts a message in a channel's message_count when it enters the channel. */
    @Test
    void shouldCountMessagesEnteringAChannelNotDeliveries() {
        done(engine.createChannel("t", "c"));
        publish("t", "a", "b", "c");
        // a backlog nobody consumed yet is counted
        assertThat(channelStats("t", "c").messageCount()).isEqualTo(3);
        Lease first = done(engine.claim("t", "c", 1, LEASE)).get(0);
        done(engine.nack(first, Duration.ZERO));
        done(engine.claim("t", "c", 10, LEASE));
        // a redelivery is not a new message
        assertThat(channelStats("t", "c").messageCount()).isEqualTo(3);
        publish("t", "d", "e");
        done(engine.emptyChannel("t", "c"));
        // messages dropped by emptying the channel had entered it
        assertThat(channelStats("t", "c").messageCount()).isEqualTo(5);
        assertThat(channelStats("t", "c").depth()).isZero();
    }

    @Test
    void shouldKeepWhatAPausedTopicHoldsAcrossARestart() {
        done(engine.createChannel("t", "c"));
        publish("t", "mine");
        done(engine.setTopicPaused("t", true));
        publish("t", "gone");
        done(engine.emptyTopic("t"));
        publish("t", "held1", "held2");
        Engine again = reopen();
        assumeThat(again).as("the engine keeps state across restarts").isNotNull();
        engine = again;
        assertThat(topicStats("t").paused()).isTrue();
        assertThat(topicStats("t").depth()).isEqualTo(2);
        assertThat(channelStats("t", "c").depth()).isEqualTo(1);
        done(engine.createChannel("t", "late"));
        done(engine.setTopicPaused("t", false));
        assertThat(claimAll("t", "c")).containsExactly("mine", "held1", "held2");
        assertThat(claimAll("t", "late")).containsExactly("held1", "held2");
    }

    @Test
    void shouldTellRegisteredConsumersWhenMessagesArrive() {
        AtomicInteger signals = new AtomicInteger();
        try (Engine.Registration r = engine.register("t", "c", signals::incrementAndGet)) {
            int before = signals.get();
            publish("t", "a");
            assertThat(signals.get()).isGreaterThan(before);
            assertThat(channelStats("t", "c").consumers()).isEqualTo(1);
        }
        assertThat(channelStats("t", "c").consumers()).isZero();
    }

    @Test
    void shouldBoundEphemeralChannelsAndDropTheOverflow() {
        try (Engine.Registration r = engine.register("t", "tail#ephemeral", () -> {})) {
            publish("t", IntStream.range(0, 150).mapToObj(i -> "m" + i).toArray(String[]::new));
            ChannelStats stats = channelStats("t", "tail#ephemeral");
            assertThat(stats.depth()).isEqualTo(100);
            assertThat(stats.dropCount()).isEqualTo(50);
            assertThat(stats.ephemeral()).isTrue();
            assertThat(claimAll("t", "tail#ephemeral")).hasSize(100).startsWith("m50");
        }
    }

    @Test
    void shouldRemoveAnEphemeralChannelWithItsLastConsumerAndAnEphemeralTopicWithItsLastChannel() {
        Engine.Registration one = engine.register("reply#ephemeral", "c#ephemeral", () -> {});
        Engine.Registration two = engine.register("reply#ephemeral", "c#ephemeral", () -> {});
        one.close();
        assertThat(done(engine.stats("reply#ephemeral"))).isPresent();
        two.close();
        assertThat(done(engine.stats("reply#ephemeral"))).isEmpty();
    }

    @Test
    void shouldBoundAnEphemeralTopicWithoutChannels() {
        publish("e#ephemeral", IntStream.range(0, 130).mapToObj(i -> "m" + i).toArray(String[]::new));
        TopicStats stats = done(engine.stats("e#ephemeral")).orElseThrow();
        assertThat(stats.depth()).isEqualTo(100);
        assertThat(stats.dropCount()).isEqualTo(30);
        assertThat(stats.ephemeral()).isTrue();
    }

    /** A consumer's listener that records what the engine tells it. */
    protected static final class Heard implements Engine.ConsumerListener {
        final AtomicInteger available = new AtomicInteger();
        final List<Lease> expired = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void available() {
            available.incrementAndGet();
        }

        @Override
        public void expired(Lease lease) {
            expired.add(lease);
        }
    }

    @Test
    void shouldTellTheConsumerThatClaimedALeaseWhenItExpiresAndNobodyElse() {
        Heard mine = new Heard();
        Heard other = new Heard();
        try (Engine.Consumer consumer = engine.register("t", "c", mine);
                Engine.Consumer bystander = engine.register("t", "c", other)) {
            publish("t", "a", "b");
            List<Lease> leases = done(consumer.claim(2, Duration.ofSeconds(1)));
            assertThat(leases).hasSize(2);
            assertThat(done(engine.ack(leases.get(1)))).isTrue();

            clock.advance(Duration.ofMillis(1001));
            await().atMost(Duration.ofSeconds(5)).until(() -> !mine.expired.isEmpty());

            assertThat(mine.expired).as("the lease that timed out, once").containsExactly(leases.get(0));
            assertThat(other.expired)
                    .as("another consumer's lease is none of its business")
                    .isEmpty();
            assertThat(channelStats("t", "c").timeoutCount()).isEqualTo(1);
            assertThat(done(engine.ack(leases.get(0))))
                    .as("an expired lease is refused")
                    .isFalse();
            Lease again = done(bystander.claim(1, LEASE)).get(0);
            assertThat(again.attempts()).isEqualTo(2);
            assertThat(again).as("a redelivery is another lease").isNotEqualTo(leases.get(0));
            assertThat(mine.expired).hasSize(1);
        }
    }

    @Test
    void shouldNotTellOfAnExtendedLeaseUntilItsNewDeadline() {
        Heard heard = new Heard();
        try (Engine.Consumer consumer = engine.register("t", "c", heard)) {
            publish("t", "a");
            Lease lease = done(consumer.claim(1, Duration.ofSeconds(1))).get(0);
            clock.advance(Duration.ofMillis(800));
            assertThat(done(engine.extend(lease, Duration.ofSeconds(1)))).isTrue();
            clock.advance(Duration.ofMillis(800));
            assertThat(done(consumer.claim(1, LEASE))).as("still leased").isEmpty();
            assertThat(heard.expired).isEmpty();
            clock.advance(Duration.ofMillis(201));
            await().atMost(Duration.ofSeconds(5)).until(() -> !heard.expired.isEmpty());
            assertThat(heard.expired).containsExactly(lease);
        }
    }

    @Test
    void shouldTellTheConsumerOfLeasesDroppedWithTheirChannel() {
        Heard heard = new Heard();
        try (Engine.Consumer consumer = engine.register("t", "c", heard)) {
            publish("t", "a");
            Lease lease = done(consumer.claim(1, LEASE)).get(0);
            done(engine.emptyChannel("t", "c"));
            assertThat(heard.expired).containsExactly(lease);
            assertThat(done(engine.ack(lease))).isFalse();
            assertThat(channelStats("t", "c").timeoutCount())
                    .as("a drop is not a timeout")
                    .isZero();
        }
    }

    @Test
    void shouldRefuseAStaleLeaseWithFalseOnEveryAnswer() {
        done(engine.createChannel("t", "c"));
        publish("t", "a");
        Lease lease = done(engine.claim("t", "c", 1, LEASE)).get(0);
        assertThat(done(engine.nack(lease, Duration.ZERO))).isTrue();
        assertThat(done(engine.ack(lease))).isFalse();
        assertThat(done(engine.nack(lease, Duration.ZERO))).isFalse();
        assertThat(done(engine.extend(lease, LEASE))).isFalse();
    }

    @Test
    void shouldFinishABatchOfLeasesAndRefuseOnlyTheStaleOnes() {
        done(engine.createChannel("t", "c"));
        publish("t", "a", "b", "c");
        List<Lease> leases = done(engine.claim("t", "c", 3, LEASE));
        assertThat(leases).hasSize(3);
        assertThat(done(engine.nack(leases.get(1), Duration.ZERO))).isTrue();
        assertThat(done(engine.ack(leases)))
                .as("one answer per lease, in order; the requeued one is stale")
                .containsExactly(true, false, true);
        assertThat(claimAll("t", "c")).as("only the requeued message is left").containsExactly("b");
        assertThat(channelStats("t", "c").inFlight()).isEqualTo(1);
    }

    @Test
    void shouldClaimNothingThroughAClosedConsumer() {
        publish("t", "a");
        Engine.Consumer consumer = engine.register("t", "c", () -> {});
        consumer.close();
        assertThat(done(consumer.claim(10, LEASE))).isEmpty();
    }

    @Test
    void shouldEmptyAChannelAndATopic() {
        done(engine.createChannel("t", "c"));
        publish("t", "a", "b");
        done(engine.claim("t", "c", 1, LEASE));
        done(engine.emptyChannel("t", "c"));
        ChannelStats stats = channelStats("t", "c");
        assertThat(stats.depth()).isZero();
        assertThat(stats.inFlight()).isZero();
        publish("t", "c");
        assertThat(claimAll("t", "c")).containsExactly("c");

        publish("held", "x", "y");
        done(engine.emptyTopic("held"));
        assertThat(done(engine.stats("held")).orElseThrow().depth()).isZero();
        done(engine.createChannel("held", "c"));
        assertThat(claimAll("held", "c")).isEmpty();
    }

    @Test
    void shouldDeleteChannelsAndTopics() {
        done(engine.createChannel("t", "c"));
        publish("t", "a");
        done(engine.deleteChannel("t", "c"));
        assertThat(done(engine.stats("t")).orElseThrow().channels()).isEmpty();
        done(engine.deleteTopic("t"));
        assertThat(done(engine.stats("t"))).isEmpty();
        assertThat(done(engine.stats())).extracting(TopicStats::name).doesNotContain("t");
        assertThatThrownBy(() -> done(engine.deleteTopic("t")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("'t'");
        publish("t", "fresh");
        done(engine.createChannel("t", "c"));
        assertThat(claimAll("t", "c")).containsExactly("fresh");
    }

    @Test
    void shouldRejectAdministrationOfMissingChannels() {
        done(engine.createTopic("t"));
        assertThatThrownBy(() -> done(engine.emptyChannel("t", "nope")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("'nope'");
        assertThatThrownBy(() -> done(engine.setChannelPaused("missing", "c", true)))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void shouldFailAdministrationStagesInsteadOfThrowing() {
        // the call itself returns; the failure arrives through the stage, with its own type
        List<CompletionStage<Void>> refused = List.of(
                engine.deleteTopic("missing"),
                engine.emptyTopic("missing"),
                engine.setTopicPaused("missing", true),
                engine.deleteChannel("missing", "c"),
                engine.emptyChannel("missing", "c"),
                engine.setChannelPaused("missing", "c", false));
        for (CompletionStage<Void> stage : refused) {
            assertThatThrownBy(() -> done(stage)).isInstanceOf(NotFoundException.class);
        }
        assertThat(done(engine.stats("missing"))).isEmpty();
    }

    @Test
    void shouldCountMessagesInTheStats() {
        done(engine.createChannel("t", "c"));
        publish("t", "a", "b", "c");
        List<Lease> leases = done(engine.claim("t", "c", 2, LEASE));
        done(engine.ack(leases.get(0)));
        TopicStats topic = done(engine.stats("t")).orElseThrow();
        assertThat(topic.messageCount()).isEqualTo(3);
        assertThat(topic.messageBytes()).isEqualTo(3);
        ChannelStats channel = topic.channels().get(0);
        assertThat(channel.depth()).isEqualTo(1);
        assertThat(channel.inFlight()).isEqualTo(1);
        // every message that entered the channel, delivered or not (nsqd's message_count)
        assertThat(channel.messageCount()).isEqualTo(3);
    }

    // ---- dead letters ---------------------------------------------------------------------------

    /** Claims and requeues at once until nothing comes back; returns how many deliveries it saw. */
    private int failUntilGone(String topic, String channel) {
        int deliveries = 0;
        while (true) {
            List<Lease> got = done(engine.claim(topic, channel, 10, LEASE));
            if (got.isEmpty()) {
                return deliveries;
            }
            for (Lease lease : got) {
                deliveries++;
                done(engine.nack(lease, Duration.ZERO));
            }
        }
    }

    @Test
    void shouldMoveAMessageToItsDeadLetterTopicOnceItsAttemptsAreUsedUp() {
        done(engine.createChannel("orders", "billing"));
        done(engine.setDeadLetter("orders", "billing", DeadLetter.after(3)));
        publish("orders", "poison");
        assertThat(failUntilGone("orders", "billing")).isEqualTo(3);
        await().until(() -> channelStats("orders", "billing").deadLetterCount() == 1);
        ChannelStats stats = channelStats("orders", "billing");
        assertThat(stats.depth()).isZero();
        assertThat(stats.inFlight()).isZero();
        assertThat(stats.deferred()).isZero();
        done(engine.createChannel("orders.dead", "inspect"));
        assertThat(claimAll("orders.dead", "inspect")).containsExactly("poison");
    }

    @Test
    void shouldDeadLetterOnlyTheMessagesWhoseAttemptsAreUsedUp() {
        done(engine.createChannel("t", "c"));
        done(engine.setDeadLetter("t", "c", DeadLetter.after(2).to("graveyard")));
        publish("t", "bad", "good");
        List<Lease> first = done(engine.claim("t", "c", 10, LEASE));
        done(engine.nack(first.get(0), Duration.ZERO));
        done(engine.ack(first.get(1)));
        Lease second = done(engine.claim("t", "c", 10, LEASE)).get(0);
        assertThat(second.attempts()).isEqualTo(2);
        publish("t", "later");
        done(engine.nack(second, Duration.ZERO));
        assertThat(claimAll("t", "c")).containsExactly("later");
        await().until(() -> channelStats("t", "c").deadLetterCount() == 1);
        done(engine.createChannel("graveyard", "inspect"));
        assertThat(claimAll("graveyard", "inspect")).containsExactly("bad");
    }

    @Test
    void shouldDeadLetterAMessageWhoseLeasesTimedOut() {
        done(engine.createChannel("t", "c"));
        done(engine.setDeadLetter("t", "c", DeadLetter.after(1)));
        publish("t", "slow");
        assertThat(done(engine.claim("t", "c", 1, Duration.ofSeconds(1)))).hasSize(1);
        clock.advance(Duration.ofSeconds(2));
        await().until(() -> {
            done(engine.claim("t", "c", 10, LEASE)).forEach(l -> done(engine.ack(l)));
            return channelStats("t", "c").deadLetterCount() == 1;
        });
        assertThat(channelStats("t", "c").timeoutCount()).isEqualTo(1);
        assertThat(done(engine.stats("t.dead"))).isPresent();
    }

    @Test
    void shouldShowAndClearTheDeadLetterPolicy() {
        done(engine.createChannel("t", "c"));
        assertThat(channelStats("t", "c").deadLetter()).isEqualTo(DeadLetter.NONE);
        done(engine.setDeadLetter("t", "c", DeadLetter.after(5).to("t-dlq")));
        assertThat(channelStats("t", "c").deadLetter()).isEqualTo(new DeadLetter(5, "t-dlq"));
        done(engine.setDeadLetter("t", "c", DeadLetter.NONE));
        assertThat(channelStats("t", "c").deadLetter()).isEqualTo(DeadLetter.NONE);
        publish("t", "m");
        assertThat(failUntilGoneOrLimit("t", "c", 8)).isEqualTo(8);
        assertThat(channelStats("t", "c").deadLetterCount()).isZero();
    }

    private int failUntilGoneOrLimit(String topic, String channel, int limit) {
        int deliveries = 0;
        while (deliveries < limit) {
            List<Lease> got = done(engine.claim(topic, channel, 1, LEASE));
            if (got.isEmpty()) {
                break;
            }
            deliveries++;
            done(engine.nack(got.get(0), Duration.ZERO));
        }
        return deliveries;
    }

    @Test
    void shouldPutTheDefaultDeadLetterTopicBeforeTheEphemeralSuffix() {
        done(engine.createChannel("calls#ephemeral", "c"));
        done(engine.setDeadLetter("calls#ephemeral", "c", DeadLetter.after(1)));
        done(engine.createChannel("calls.dead#ephemeral", "inspect"));
        publish("calls#ephemeral", "x");
        assertThat(failUntilGone("calls#ephemeral", "c")).isEqualTo(1);
        await().until(() -> claimAll("calls.dead#ephemeral", "inspect").contains("x"));
    }

    @Test
    void shouldRefuseADeadLetterPolicyItCannotHonour() {
        String longest = "t".repeat(60);
        done(engine.createChannel(longest, "c"));
        assertThatThrownBy(() -> done(engine.setDeadLetter(longest, "c", DeadLetter.after(2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(longest + ".dead")
                .hasMessageContaining("64");
        done(engine.setDeadLetter(longest, "c", DeadLetter.after(2).to("short.dead")));
        assertThatThrownBy(() -> done(
                        engine.setDeadLetter(longest, "c", DeadLetter.after(2).to(longest))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be the topic itself");
        assertThatThrownBy(() -> done(engine.setDeadLetter("t", "missing", DeadLetter.after(2))))
                .isInstanceOf(NotFoundException.class);
        done(engine.createTopic("t"));
        assertThatThrownBy(() -> done(engine.setDeadLetter("t", "missing", DeadLetter.after(2))))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void shouldKeepTheDeadLetterPolicyAcrossARestart() {
        done(engine.createChannel("t", "c"));
        done(engine.setDeadLetter("t", "c", DeadLetter.after(2).to("graveyard")));
        publish("t", "m");
        done(engine.nack(done(engine.claim("t", "c", 1, LEASE)).get(0), Duration.ZERO));
        Engine again = reopen();
        assumeThat(again).as("the engine keeps state across restarts").isNotNull();
        engine = again;
        assertThat(channelStats("t", "c").deadLetter()).isEqualTo(new DeadLetter(2, "graveyard"));
        assertThat(failUntilGone("t", "c")).isEqualTo(1);
        done(engine.createChannel("graveyard", "inspect"));
        await().until(() -> claimAll("graveyard", "inspect").contains("m"));
    }

    /** Records what a watch reports, one line per event. */
    private static final class TopologyLog implements Engine.TopologyListener {
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void topicCreated(String topic) {
            events.add("+" + topic);
        }

        @Override
        public void topicDeleted(String topic) {
            events.add("-" + topic);
        }

        @Override
        public void channelCreated(String topic, String channel) {
            events.add("+" + topic + "/" + channel);
        }

        @Override
        public void channelDeleted(String topic, String channel) {
            events.add("-" + topic + "/" + channel);
        }
    }

    @Test
    void shouldReportTopicsAndChannelsCreatedAndDeletedToAWatch() {
        done(engine.createChannel("old", "c"));
        TopologyLog log = new TopologyLog();
        Engine.Registration watch = engine.watch(log);
        publish("t", "a");
        publish("t", "b");
        done(engine.createChannel("t", "c"));
        done(engine.createChannel("t", "c"));
        done(engine.createTopic("t"));
        done(engine.createChannel("t", "d"));
        done(engine.deleteChannel("t", "c"));
        done(engine.deleteTopic("t"));
        assertThat(log.events).containsExactly("+t", "+t/c", "+t/d", "-t/c", "-t/d", "-t");

        log.events.clear();
        Engine.Registration consumer = engine.register("reply#ephemeral", "c#ephemeral", () -> {});
        consumer.close();
        assertThat(log.events)
                .containsExactly(
                        "+reply#ephemeral",
                        "+reply#ephemeral/c#ephemeral",
                        "-reply#ephemeral/c#ephemeral",
                        "-reply#ephemeral");

        watch.close();
        watch.close();
        log.events.clear();
        done(engine.createChannel("later", "c"));
        assertThat(log.events).isEmpty();
    }
}
