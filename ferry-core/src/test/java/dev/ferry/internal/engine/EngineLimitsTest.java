package dev.ferry.internal.engine;

import static dev.ferry.internal.engine.EngineTestSupport.channel;
import static dev.ferry.internal.engine.EngineTestSupport.text;
import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.ChannelStats;
import dev.ferry.DepthPolicy;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.PublishRejectedException;
import dev.ferry.TopicStats;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bound of the embedded engine: its policy, its counter, and that nothing accepted is harmed. */
class EngineLimitsTest {
    private static final Duration LEASE = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();

    private LocalEngine open(UnaryOperator<EmbeddedEngineConfig.Builder> tweak) {
        return new LocalEngine(
                tweak.apply(EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0)).build(), clock, FileIo.DEFAULT);
    }

    private static List<PublishRecord> records(String prefix, int n) {
        List<PublishRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(PublishRecord.of((prefix + i).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private long segments(String topic) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("topics/t-" + topic))) {
            return files.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }

    @Test
    void shouldFailAPublishOnAWriteErrorAndKeepWhatWasAccepted() {
        FaultyFileIo io = new FaultyFileIo();
        try (LocalEngine engine = new LocalEngine(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build(), clock, io)) {
            done(engine.createChannel("t", "c"));
            EngineTestSupport.store(engine, "t", records("ok", 3));
            io.failing = true;
            assertThatThrownBy(() -> EngineTestSupport.store(engine, "t", records("lost", 2)))
                    .isInstanceOf(PublishRejectedException.class)
                    .hasMessageContaining("No space left on device")
                    .hasMessageContaining("nothing of this publish was stored");
            assertThat(done(engine.stats("t")).orElseThrow().rejectCount()).isEqualTo(1);
            io.failing = false;
            EngineTestSupport.store(engine, "t", records("after", 1));
        }
        try (LocalEngine engine = open(b -> b)) {
            assertThat(done(engine.claim("t", "c", 100, LEASE)))
                    .extracting(EngineTestSupport::text)
                    .containsExactly("ok0", "ok1", "ok2", "after0");
        }
    }

    @Test
    void shouldRefusePublishesPastTheDataSizeLimit() {
        try (LocalEngine engine = open(b -> b.maxDataBytes(2000))) {
            EngineTestSupport.store(engine, "t", records("m", 10));
            assertThatThrownBy(() -> {
                        for (int i = 0; i < 100; i++) {
                            EngineTestSupport.store(engine, "t", records("more", 10));
                        }
                    })
                    .isInstanceOf(PublishRejectedException.class)
                    .hasMessageContaining("maxDataBytes 2000")
                    .hasMessageContaining("nothing was stored");
            TopicStats stats = done(engine.stats("t")).orElseThrow();
            assertThat(stats.rejectCount()).isEqualTo(1);
            assertThat(stats.storedBytes()).isLessThanOrEqualTo(2000);
        }
    }

    @Test
    void shouldRefusePublishesWhenTheDiskIsNearlyFull() {
        try (LocalEngine engine = open(b -> b.minFreeDiskBytes(Long.MAX_VALUE / 2))) {
            assertThatThrownBy(() -> EngineTestSupport.store(engine, "t", records("m", 1)))
                    .isInstanceOf(PublishRejectedException.class)
                    .hasMessageContaining("free on the disk")
                    .hasMessageContaining("minFreeDiskBytes");
        }
    }

    @Test
    void shouldRejectPublishesToAFullChannelUnderTheRejectPolicy() {
        try (LocalEngine engine = open(b -> b.channelMaxDepth(5, DepthPolicy.REJECT))) {
            done(engine.createChannel("t", "c"));
            EngineTestSupport.store(engine, "t", records("m", 5));
            assertThatThrownBy(() -> EngineTestSupport.store(engine, "t", records("x", 1)))
                    .isInstanceOf(PublishRejectedException.class)
                    .hasMessageContaining("channel 'c' is full")
                    .hasMessageContaining("maximum depth 5");
            assertThat(channel(engine, "t", "c").depth()).isEqualTo(5);
            done(engine.ack(done(engine.claim("t", "c", 1, LEASE)).get(0)));
            EngineTestSupport.store(engine, "t", records("x", 1));
        }
    }

    @Test
    void shouldDropTheOldestUnderTheDropOldestPolicy() {
        try (LocalEngine engine = open(b -> b.channelMaxDepth(5, DepthPolicy.DROP_OLDEST))) {
            done(engine.createChannel("t", "c"));
            EngineTestSupport.store(engine, "t", records("m", 8));
            ChannelStats stats = channel(engine, "t", "c");
            assertThat(stats.depth()).isEqualTo(5);
            assertThat(stats.dropCount()).isEqualTo(3);
            assertThat(done(engine.claim("t", "c", 100, LEASE)))
                    .extracting(EngineTestSupport::text)
                    .containsExactly("m3", "m4", "m5", "m6", "m7");
        }
    }

    @Test
    void shouldApplyRetentionByBytesToATopicWithoutChannels() throws IOException {
        try (LocalEngine engine = open(b -> b.segmentBytes(4096).retention(16 * 1024, Duration.ZERO))) {
            for (int i = 0; i < 50; i++) {
                EngineTestSupport.store(engine, "t", records("m" + i + "-", 20));
            }
            await().until(() -> done(engine.stats("t")).orElseThrow().storedBytes() <= 16 * 1024 + 4096);
            TopicStats stats = done(engine.stats("t")).orElseThrow();
            assertThat(stats.dropCount()).isPositive();
            assertThat(stats.depth()).isEqualTo(1000 - stats.dropCount());
            assertThat(segments("t")).isLessThanOrEqualTo(6);
        }
    }

    @Test
    void shouldApplyRetentionByAgeAndCountWhatAChannelLost() throws IOException {
        try (LocalEngine engine = open(b -> b.segmentBytes(4096).retention(0, Duration.ofHours(1)))) {
            done(engine.createChannel("t", "c"));
            for (int i = 0; i < 10; i++) {
                EngineTestSupport.store(engine, "t", records("old" + i + "-", 20));
            }
            clock.advance(Duration.ofMinutes(61));
            // too big for the active segment: the old ones are all closed now
            EngineTestSupport.store(engine, "t", List.of(PublishRecord.of(new byte[3500])));
            await().until(() -> channel(engine, "t", "c").dropCount() == 200);
            assertThat(segments("t")).isEqualTo(1);
            assertThat(done(engine.claim("t", "c", 1000, LEASE)))
                    .extracting(l -> l.body().length)
                    .containsExactly(3500);
        }
    }

    @Test
    void shouldFreeOldSegmentsWhileOneMessageStaysUnfinished() throws IOException {
        try (LocalEngine engine = open(b -> b.segmentBytes(8192))) {
            done(engine.createChannel("t", "c"));
            EngineTestSupport.store(engine, "t", records("stuck", 1));
            Lease stuck = done(engine.claim("t", "c", 1, LEASE)).get(0);
            for (int round = 0; round < 200; round++) {
                EngineTestSupport.store(engine, "t", records("r" + round + "-", 20));
                for (Lease l : done(engine.claim("t", "c", 100, LEASE))) {
                    done(engine.ack(l));
                }
            }
            await().until(() -> segments("t") <= 2);
            assertThat(done(engine.stats("t")).orElseThrow().storedBytes()).isLessThan(3 * 8192);
            assertThat(done(engine.extend(stuck, LEASE))).isTrue();
            assertThat(done(engine.nack(stuck, Duration.ZERO))).isTrue();
            Lease again = done(engine.claim("t", "c", 1, LEASE)).get(0);
            assertThat(text(again)).isEqualTo("stuck0");
            assertThat(again.attempts()).isEqualTo(2);
        }
        try (LocalEngine engine = open(b -> b.segmentBytes(8192))) {
            Lease after = done(engine.claim("t", "c", 1, LEASE)).get(0);
            assertThat(text(after)).isEqualTo("stuck0");
            assertThat(after.attempts()).isEqualTo(3);
        }
    }

    @Test
    void shouldDropAHeldMessageWhoseRecordWasDamagedAfterStartAndStillFreeItsSegment() throws IOException {
        byte[] big = ("stuck" + "x".repeat(8100)).getBytes(StandardCharsets.UTF_8);
        // the first run leaves "stuck" in flight, alone in a segment nearly full: no roll yet
        try (LocalEngine engine = open(b -> b.segmentBytes(8192))) {
            done(engine.createChannel("t", "c"));
            EngineTestSupport.store(engine, "t", List.of(PublishRecord.of(big)));
            assertThat(done(engine.claim("t", "c", 1, LEASE))).hasSize(1);
        }
        // the second run: recovery checked the record and made "stuck" ready again, its body on disk only
        try (LocalEngine engine = open(b -> b.segmentBytes(8192).tailCacheBytes(0))) {
            damage(firstSegment("t"), "stuck".getBytes(StandardCharsets.UTF_8)); // after the check
            // the next publish rolls to a new segment at the channel's cursor: housekeeping now
            // moves "stuck" out of the old one, reads it back, and finds it damaged
            EngineTestSupport.store(engine, "t", records("next", 1));
            await().until(() -> segments("t") == 1); // kept tracked, "stuck" would hold it for good
            ChannelStats c = channel(engine, "t", "c");
            assertThat(c.dropCount()).isEqualTo(1);
            assertThat(c.depth()).isEqualTo(1);
            assertThat(done(engine.claim("t", "c", 10, LEASE)))
                    .extracting(EngineTestSupport::text)
                    .containsExactly("next0");
            assertThat(channel(engine, "t", "c").dropCount())
                    .as("dropped once only")
                    .isEqualTo(1);
        }
    }

    private Path firstSegment(String topic) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("topics/t-" + topic))) {
            return files.filter(p -> p.toString().endsWith(".seg"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
    }

    /** Overwrites the first occurrence of {@code what} in {@code file} with as many 'X's. */
    private static void damage(Path file, byte[] what) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i + what.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + what.length, what, 0, what.length)) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.write(ByteBuffer.wrap("X".repeat(what.length).getBytes(StandardCharsets.US_ASCII)), i);
                }
                return;
            }
        }
        throw new AssertionError(file + " does not hold " + new String(what, StandardCharsets.UTF_8));
    }

    @Test
    void shouldBoundEphemeralChannelsOfDurableTopics() {
        try (LocalEngine engine = open(b -> b.memQueueSize(10));
                var r = engine.register("t", "tail#ephemeral", () -> {})) {
            done(engine.createChannel("t", "durable"));
            EngineTestSupport.store(engine, "t", records("m", 25));
            assertThat(channel(engine, "t", "tail#ephemeral").depth()).isEqualTo(10);
            assertThat(channel(engine, "t", "tail#ephemeral").dropCount()).isEqualTo(15);
            assertThat(channel(engine, "t", "durable").depth()).isEqualTo(25);
        }
    }
}
