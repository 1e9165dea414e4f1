package dev.ferry.internal.engine;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Housekeeping rotates a channel's journal under the topic's lock and writes the snapshot later, on
 * the snapshot thread. A process that dies in between leaves the old snapshot with two journals
 * after it (the rotated one and the new one, which already holds later state changes); recovery must
 * replay both. The crash is a copy of the data directory taken while the snapshot thread is held
 * before it writes {@code snapshot.tmp} (what a killed process leaves: every write is in the file,
 * nothing else happened).
 */
class SnapshotCrashWindowTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @TempDir
    Path crashed;

    private final MutableClock clock = MutableClock.start();

    /** Holds the snapshot thread when it opens snapshot.tmp, once {@link #armed}. */
    private final HeldSnapshots io = new HeldSnapshots();

    private static final class HeldSnapshots implements FileIo {
        volatile boolean armed;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public FileChannel open(Path path, java.nio.file.OpenOption... options) throws IOException {
            if (armed && path.getFileName().toString().equals(Snapshot.FILE + ".tmp")) {
                reached.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while held");
                }
            }
            return FileChannel.open(path, options);
        }
    }

    private EmbeddedEngineConfig config(Path data) {
        return EmbeddedEngineConfig.file(data)
                .minFreeDiskBytes(0)
                .journalSnapshotBytes(4096)
                .build();
    }

    private static void publish(LocalEngine engine, int count) {
        List<PublishRecord> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(PublishRecord.of(String.format("m-%03d", i).getBytes(StandardCharsets.UTF_8)));
        }
        engine.append("t", batch).join();
    }

    /**
     * Runs until housekeeping's snapshot is held before snapshot.tmp, with state changes after the
     * rotation: 155 of 300 messages finished, 55 in flight (10 delivered after the rotation), 90 never
     * delivered. Leaves the crash image in {@link #crashed}.
     */
    private void crashWhileTheSnapshotIsHeld() throws IOException {
        try (LocalEngine engine = new LocalEngine(config(dir), clock, io)) {
            try {
                runUntilHeld(engine);
            } finally {
                io.release.countDown(); // else closing would wait for the held snapshot for ever
            }
        }
    }

    private void runUntilHeld(LocalEngine engine) throws IOException {
        done(engine.createChannel("t", "c"));
        io.armed = true;
        publish(engine, 300);
        List<Lease> first = done(engine.claim("t", "c", 200, LEASE));
        for (Lease l : first.subList(0, 150)) {
            assertThat(done(engine.ack(l))).isTrue();
        }
        // housekeeping (every 250 ms) finds the journal past 4 KiB, rotates it and hands the rest over
        await().atMost(Duration.ofSeconds(10)).until(() -> io.reached.getCount() == 0);
        for (Lease l : first.subList(150, 155)) {
            assertThat(done(engine.ack(l))).isTrue();
        }
        // a delivery writes the journal's buffered records (the finishes above too) before it returns
        assertThat(done(engine.claim("t", "c", 10, LEASE))).hasSize(10);
        copyTree(dir, crashed);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private Path channelDir(Path data) {
        return data.resolve("topics/t-t/c-c");
    }

    private static long journals(Path channel) throws IOException {
        return FileJournal.files(channel).size();
    }

    /** Drains the channel: each message's text and its delivery number. */
    private static List<String> drain(LocalEngine engine) {
        List<String> out = new ArrayList<>();
        for (List<Lease> got = done(engine.claim("t", "c", 1000, LEASE));
                !got.isEmpty();
                got = done(engine.claim("t", "c", 1000, LEASE))) {
            for (Lease l : got) {
                out.add(new String(l.body(), StandardCharsets.UTF_8) + "#" + l.attempts());
                assertThat(done(engine.ack(l))).isTrue();
            }
        }
        return out;
    }

    private static List<String> expected() {
        List<String> out = new ArrayList<>();
        for (int i = 155; i < 300; i++) {
            out.add(String.format("m-%03d#%d", i, i < 210 ? 2 : 1));
        }
        return out;
    }

    @Test
    void shouldReplayTheRotatedJournalAndTheNewOneWhenTheProcessDiesBeforeTheSnapshotIsWritten() throws IOException {
        crashWhileTheSnapshotIsHeld();
        assertThat(channelDir(crashed).resolve(Snapshot.FILE + ".tmp")).doesNotExist();
        assertThat(journals(channelDir(crashed)))
                .as("the rotated journal and the new one")
                .isGreaterThanOrEqualTo(2);

        try (LocalEngine engine = LocalEngine.open(config(crashed), clock)) {
            assertThat(drain(engine)).containsExactlyElementsOf(expected());
        }
    }

    @Test
    void shouldRecoverFromThePreviousSnapshotWhenTheProcessDiesBetweenTheTwoRenames() throws IOException {
        crashWhileTheSnapshotIsHeld();
        // what the snapshot thread leaves after step 3 of ChannelSnapshots: snapshot moved to
        // snapshot.prev, the new one still in snapshot.tmp (here cut short: it was never renamed)
        Path channel = channelDir(crashed);
        Files.move(
                channel.resolve(Snapshot.FILE),
                channel.resolve(Snapshot.PREVIOUS),
                StandardCopyOption.REPLACE_EXISTING);
        Files.write(channel.resolve(Snapshot.FILE + ".tmp"), new byte[] {1, 2, 3});

        try (LocalEngine engine = LocalEngine.open(config(crashed), clock)) {
            assertThat(drain(engine)).containsExactlyElementsOf(expected());
        }
    }

    @Test
    void shouldRecoverTheSameStateOnceTheHeldSnapshotIsWrittenAndTheEngineClosed() throws IOException {
        crashWhileTheSnapshotIsHeld();
        try (LocalEngine engine = LocalEngine.open(config(dir), clock)) {
            assertThat(drain(engine)).containsExactlyElementsOf(expected());
        }
    }
}
