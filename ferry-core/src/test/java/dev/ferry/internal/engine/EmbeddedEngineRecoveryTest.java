package dev.ferry.internal.engine;

import static dev.ferry.internal.engine.EngineTestSupport.channel;
import static dev.ferry.internal.engine.EngineTestSupport.text;
import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.DeadLetter;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.StorageException;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the embedded engine keeps across a close and reopen of its data directory. */
class EmbeddedEngineRecoveryTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();

    private LocalEngine open() {
        return open(b -> b);
    }

    private LocalEngine open(java.util.function.UnaryOperator<EmbeddedEngineConfig.Builder> tweak) {
        return LocalEngine.open(
                tweak.apply(EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0)).build(), clock);
    }

    private static void publish(LocalEngine engine, String topic, String... bodies) {
        List<PublishRecord> batch = new ArrayList<>();
        for (String b : bodies) {
            batch.add(PublishRecord.of(b.getBytes(StandardCharsets.UTF_8)));
        }
        engine.append(topic, batch).join();
    }

    @Test
    void shouldKeepUnfinishedMessagesAndForgetFinishedOnes() {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, "t", "a", "b", "c", "d");
            List<Lease> leases = done(engine.claim("t", "c", 2, LEASE));
            done(engine.ack(leases.get(0)));
        }
        try (LocalEngine engine = open()) {
            List<Lease> again = done(engine.claim("t", "c", 10, LEASE));
            assertThat(again).extracting(EngineTestSupport::text).containsExactly("b", "c", "d");
            assertThat(again).extracting(Lease::attempts).containsExactly(2, 1, 1);
        }
    }

    @Test
    void shouldKeepExactAttemptsOfInFlightMessages() {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, "t", "twice", "thrice");
            for (int round = 0; round < 2; round++) {
                for (Lease l : done(engine.claim("t", "c", 10, LEASE))) {
                    done(engine.nack(l, Duration.ZERO));
                }
            }
            List<Lease> held = done(engine.claim("t", "c", 10, LEASE));
            assertThat(held).extracting(Lease::attempts).containsExactly(3, 3);
            done(engine.nack(held.get(1), Duration.ZERO));
            done(engine.claim("t", "c", 10, LEASE));
        }
        try (LocalEngine engine = open()) {
            List<Lease> again = done(engine.claim("t", "c", 10, LEASE));
            assertThat(again).extracting(EngineTestSupport::text).containsExactly("twice", "thrice");
            assertThat(again).extracting(Lease::attempts).containsExactly(4, 5);
        }
    }

    @Test
    void shouldKeepDeferredMessagesWithTheirDueTimes() {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            engine.append("t", List.of(new PublishRecord("soon".getBytes(StandardCharsets.UTF_8), 20_000)))
                    .join();
            engine.append("t", List.of(new PublishRecord("hour".getBytes(StandardCharsets.UTF_8), 3_600_000)))
                    .join();
            publish(engine, "t", "requeued");
            done(engine.nack(done(engine.claim("t", "c", 1, LEASE)).get(0), Duration.ofSeconds(40)));
            assertThat(channel(engine, "t", "c").deferred()).isEqualTo(3);
        }
        try (LocalEngine engine = open()) {
            assertThat(channel(engine, "t", "c").deferred()).isEqualTo(3);
            assertThat(done(engine.claim("t", "c", 10, LEASE))).isEmpty();
            clock.advance(Duration.ofSeconds(20));
            await().until(() -> !done(engine.claim("t", "c", 10, LEASE)).isEmpty());
            clock.advance(Duration.ofSeconds(20));
            await().until(() -> done(engine.claim("t", "c", 10, LEASE)).stream()
                    .anyMatch(l -> text(l).equals("requeued") && l.attempts() == 2));
        }
        clock.advance(Duration.ofHours(1));
        try (LocalEngine engine = open()) {
            await().until(() -> done(engine.claim("t", "c", 10, LEASE)).stream().anyMatch(l -> text(l).equals("hour")));
        }
    }

    @Test
    void shouldKeepPausedFlagsAndHeldMessagesOfATopicWithoutChannels() {
        try (LocalEngine engine = open()) {
            publish(engine, "held", "x", "y");
            done(engine.createChannel("t", "c"));
            done(engine.setChannelPaused("t", "c", true));
            done(engine.setTopicPaused("held", true));
        }
        try (LocalEngine engine = open()) {
            assertThat(channel(engine, "t", "c").paused()).isTrue();
            assertThat(done(engine.stats("held")).orElseThrow().paused()).isTrue();
            assertThat(done(engine.stats("held")).orElseThrow().depth()).isEqualTo(2);
            done(engine.setTopicPaused("held", false));
            done(engine.createChannel("held", "first"));
            assertThat(done(engine.claim("held", "first", 10, LEASE)))
                    .extracting(EngineTestSupport::text)
                    .containsExactly("x", "y");
        }
    }

    /**
     * A topic paused before paused topics held their messages has a hold file from long ago (or
     * none): what its channels already read must not come back as held by the topic.
     */
    @Test
    void shouldNotHoldWhatChannelsReadWhenAPausedTopicsHoldFileIsOlder() throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, "t", "a", "b");
            for (Lease lease : done(engine.claim("t", "c", 10, LEASE))) {
                done(engine.ack(lease));
            }
            done(engine.setTopicPaused("t", true));
        }
        // the hold file as an older Ferry left it: at the start of the log
        Files.write(dir.resolve("topics/t-t/hold"), new byte[16]);
        try (LocalEngine engine = open()) {
            assertThat(done(engine.stats("t")).orElseThrow().depth()).isZero();
            publish(engine, "t", "c");
            assertThat(done(engine.stats("t")).orElseThrow().depth()).isEqualTo(1);
            done(engine.setTopicPaused("t", false));
            assertThat(done(engine.claim("t", "c", 10, LEASE)))
                    .extracting(EngineTestSupport::text)
                    .containsExactly("c");
        }
    }

    @Test
    void shouldKeepAChannelsDeadLetterPolicy() throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "explicit"));
            done(engine.createChannel("t", "default"));
            done(engine.createChannel("t", "cleared"));
            done(engine.setDeadLetter("t", "explicit", DeadLetter.after(2).to("graveyard")));
            done(engine.setDeadLetter("t", "default", DeadLetter.after(1)));
            done(engine.setDeadLetter("t", "cleared", DeadLetter.after(1)));
            done(engine.setDeadLetter("t", "cleared", DeadLetter.NONE));
            publish(engine, "t", "m");
            done(engine.nack(done(engine.claim("t", "explicit", 1, LEASE)).get(0), Duration.ZERO));
        }
        assertThat(Files.readString(dir.resolve("topics/t-t/c-explicit/dead-letter")))
                .isEqualTo("ferry-dead-letter 1\nmax_attempts=2\ntopic=graveyard\n");
        assertThat(dir.resolve("topics/t-t/c-cleared/dead-letter")).doesNotExist();
        try (LocalEngine engine = open()) {
            assertThat(channel(engine, "t", "explicit").deadLetter()).isEqualTo(new DeadLetter(2, "graveyard"));
            assertThat(channel(engine, "t", "default").deadLetter()).isEqualTo(DeadLetter.after(1));
            assertThat(channel(engine, "t", "cleared").deadLetter()).isEqualTo(DeadLetter.NONE);
            done(engine.nack(done(engine.claim("t", "explicit", 1, LEASE)).get(0), Duration.ZERO));
            assertThat(done(engine.claim("t", "explicit", 1, LEASE))).isEmpty();
            done(engine.createChannel("graveyard", "inspect"));
            await().until(() -> done(engine.claim("graveyard", "inspect", 10, LEASE)).stream()
                    .anyMatch(l -> text(l).equals("m")));
        }
    }

    @Test
    void shouldRefuseADeadLetterFileOfAnotherVersion() throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            done(engine.setDeadLetter("t", "c", DeadLetter.after(2)));
        }
        Files.writeString(dir.resolve("topics/t-t/c-c/dead-letter"), "ferry-dead-letter 9\nmax_attempts=2\n");
        assertThatThrownBy(this::open)
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("ferry-dead-letter 9")
                .hasMessageContaining("dead-letter");
    }

    @Test
    void shouldRecoverFromManyJournalSnapshots() {
        try (LocalEngine engine = open(b -> b.journalSnapshotBytes(4096))) {
            done(engine.createChannel("t", "c"));
            for (int i = 0; i < 500; i++) {
                publish(engine, "t", "m" + i);
                Lease l = done(engine.claim("t", "c", 1, LEASE)).get(0);
                if (i % 10 != 0) {
                    done(engine.ack(l));
                }
            }
            await().until(() -> {
                try (Stream<Path> files = Files.list(channelDir())) {
                    return files.anyMatch(p -> p.getFileName().toString().equals("snapshot"));
                }
            });
        }
        try (LocalEngine engine = open()) {
            List<Lease> again = done(engine.claim("t", "c", 1000, LEASE));
            assertThat(again)
                    .extracting(EngineTestSupport::text)
                    .containsExactlyElementsOf(
                            IntStream.range(0, 50).mapToObj(i -> "m" + (i * 10)).toList());
        }
    }

    private Path channelDir() {
        return dir.resolve("topics/t-t/c-c");
    }

    @Test
    void shouldCutOffATornTailAndKeepEverythingBeforeIt() throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, "t", "a", "b");
        }
        Path segment = EngineTestSupport.firstSegment(dir, "t");
        long intact = Files.size(segment);
        Files.write(segment, new byte[] {0, 0, 0, 60, 1, 2, 3, 4, 9, 9}, StandardOpenOption.APPEND);
        try (LocalEngine engine = open()) {
            assertThat(Files.size(segment)).isEqualTo(intact);
            assertThat(done(engine.claim("t", "c", 10, LEASE)))
                    .extracting(EngineTestSupport::text)
                    .containsExactly("a", "b");
            publish(engine, "t", "c");
            assertThat(done(engine.claim("t", "c", 10, LEASE)))
                    .extracting(EngineTestSupport::text)
                    .containsExactly("c");
        }
    }

    @Test
    void shouldCutOffACorruptRecordAtTheTail() throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, "t", "a", "b");
        }
        Path segment = EngineTestSupport.firstSegment(dir, "t");
        byte[] data = Files.readAllBytes(segment);
        data[data.length - 1] ^= 0x55; // flip bits in the last body: its CRC no longer matches
        Files.write(segment, data);
        try (LocalEngine engine = open()) {
            assertThat(done(engine.claim("t", "c", 10, LEASE)))
                    .extracting(EngineTestSupport::text)
                    .containsExactly("a");
        }
    }

    @Test
    void shouldRefuseASecondEngineOnTheSameDirectoryNamingTheHolder() {
        try (LocalEngine engine = open()) {
            assertThatThrownBy(this::open)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("in use")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
    }

    @Test
    void shouldRefuseNsqdFilesAndUnknownFormats() throws IOException {
        Files.write(dir.resolve("orders.diskqueue.000000.dat"), new byte[] {1});
        assertThatThrownBy(this::open)
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("nsqd")
                .hasMessageContaining("orders.diskqueue.000000.dat");
        Files.delete(dir.resolve("orders.diskqueue.000000.dat"));
        Files.writeString(dir.resolve("notes.txt"), "hello");
        assertThatThrownBy(this::open)
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("unknown format")
                .hasMessageContaining("notes.txt");
        Files.delete(dir.resolve("notes.txt"));
        open().close();
        Files.writeString(dir.resolve(DataDirectory.FORMAT_FILE), "ferry-data 99\n");
        assertThatThrownBy(this::open).isInstanceOf(StorageException.class).hasMessageContaining("ferry-data 99");
    }
}
