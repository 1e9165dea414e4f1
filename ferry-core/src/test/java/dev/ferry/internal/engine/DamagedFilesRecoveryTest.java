package dev.ferry.internal.engine;

import static dev.ferry.internal.engine.EngineTestSupport.channel;
import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.RecoveryStats;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage inside a data file is not a torn tail: recovery keeps every intact record after it, loses
 * only the damaged one(s), and copies the damaged bytes into a quarantine file.
 */
class DamagedFilesRecoveryTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    /** Long enough that 16 flipped bytes fall inside one body. */
    private static final String PADDING = "-".repeat(48);

    @TempDir
    Path dir;

    @TempDir
    Path crashedDir;

    private final MutableClock clock = MutableClock.start();

    private LocalEngine open(Path data, UnaryOperator<EmbeddedEngineConfig.Builder> tweak) {
        return LocalEngine.open(
                tweak.apply(EmbeddedEngineConfig.file(data).minFreeDiskBytes(0)).build(), clock);
    }

    private LocalEngine open() {
        return open(dir, b -> b);
    }

    private static String body(int i) {
        return String.format("m-%05d%s", i, PADDING);
    }

    private static void publish(LocalEngine engine, int from, int to) {
        for (int start = from; start < to; start += 100) {
            List<PublishRecord> batch = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + 100); i++) {
                batch.add(PublishRecord.of(body(i).getBytes(StandardCharsets.UTF_8)));
            }
            engine.append("t", batch).join();
        }
    }

    private static List<String> drain(LocalEngine engine) {
        List<String> out = new ArrayList<>();
        while (true) {
            List<Lease> leases = done(engine.claim("t", "c", 1000, LEASE));
            if (leases.isEmpty()) {
                return out;
            }
            for (Lease l : leases) {
                out.add(EngineTestSupport.text(l).substring(0, 7));
                done(engine.ack(l));
            }
        }
    }

    private static List<String> names(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> body(i).substring(0, 7)).toList();
    }

    /** Flips 16 bytes inside the body of message {@code i} in {@code file}; returns where they start. */
    private static int flipInsideBody(Path file, int i) throws IOException {
        byte[] data = Files.readAllBytes(file);
        byte[] needle = body(i).getBytes(StandardCharsets.UTF_8);
        int at = indexOf(data, needle) + 20;
        for (int k = 0; k < 16; k++) {
            data[at + k] ^= (byte) 0xA5;
        }
        Files.write(file, data);
        return at;
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (data[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static List<Path> quarantined(Path in) throws IOException {
        try (Stream<Path> files = Files.walk(in)) {
            return files.filter(p -> p.getFileName().toString().contains(Quarantine.MARK))
                    .toList();
        }
    }

    private RecoveryStats topicRecovery(LocalEngine engine) {
        return done(engine.stats("t")).orElseThrow().recovery();
    }

    @Test
    void shouldLoseOnlyTheDamagedRecordInTheMiddleOfTheActiveSegment() throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, 0, 5000);
        }
        Path segment = EngineTestSupport.firstSegment(dir, "t");
        long size = Files.size(segment);
        flipInsideBody(segment, 2000);
        try (LocalEngine engine = open()) {
            List<String> delivered = drain(engine);
            List<String> expected = new ArrayList<>(names(0, 5000));
            expected.remove(body(2000).substring(0, 7));
            assertThat(delivered).containsExactlyElementsOf(expected);
            RecoveryStats found = topicRecovery(engine);
            assertThat(found.damagedStretches()).isEqualTo(1);
            assertThat(found.recordsLost()).isEqualTo(1);
            assertThat(found.recordsKept()).isEqualTo(2999);
            assertThat(found.bytesQuarantined()).isEqualTo(RecordCodec.size(body(0).length()));
            assertThat(found.tornBytesCut()).isZero();
            assertThat(channel(engine, "t", "c").dropCount()).isEqualTo(1);
            assertThat(Files.size(segment)).as("nothing cut").isEqualTo(size);
            publish(engine, 5000, 5001);
            assertThat(drain(engine)).containsExactly(body(5000).substring(0, 7));
        }
        List<Path> copies = quarantined(dir);
        assertThat(copies).hasSize(1);
        assertThat(Files.size(copies.get(0))).isEqualTo(RecordCodec.size(body(0).length()));
        assertThat(copies.get(0).getFileName().toString()).startsWith(segment.getFileName() + Quarantine.MARK);
    }

    @Test
    void shouldSkipOnlyTheDamagedRecordOfAnOlderSegmentWhenReadingIt() throws IOException {
        try (LocalEngine engine = open(dir, b -> b.segmentBytes(16 * 1024))) {
            done(engine.createChannel("t", "c"));
            publish(engine, 0, 3000);
        }
        flipInsideBody(EngineTestSupport.firstSegment(dir, "t"), 50);
        try (LocalEngine engine = open(dir, b -> b.segmentBytes(16 * 1024))) {
            List<String> delivered = drain(engine);
            List<String> expected = new ArrayList<>(names(0, 3000));
            expected.remove(body(50).substring(0, 7));
            assertThat(delivered).containsExactlyElementsOf(expected);
            RecoveryStats found = topicRecovery(engine);
            assertThat(found.recordsLost()).isEqualTo(1);
            assertThat(found.recordsKept()).isPositive();
            assertThat(quarantined(dir)).hasSize(1);
        }
    }

    @Test
    void shouldStillCutATornTailWithoutQuarantine() throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, 0, 10);
        }
        Path segment = EngineTestSupport.firstSegment(dir, "t");
        long intact = Files.size(segment);
        // the start of an append whose body never reached the file
        ByteBuffer torn = ByteBuffer.allocate(20).putInt(200).putInt(12345);
        Files.write(segment, torn.array(), StandardOpenOption.APPEND);
        try (LocalEngine engine = open()) {
            assertThat(Files.size(segment)).isEqualTo(intact);
            assertThat(drain(engine)).containsExactlyElementsOf(names(0, 10));
            assertThat(topicRecovery(engine).tornBytesCut()).isEqualTo(20);
            assertThat(topicRecovery(engine).damagedStretches()).isZero();
        }
        assertThat(quarantined(dir)).isEmpty();
    }

    @Test
    void shouldDeliverWhatIsPublishedAfterTheLogLostRecordsTheChannelHadRead() throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, 0, 100);
            assertThat(drain(engine)).hasSize(100); // the cursor is at the log's end
        }
        Path segment = EngineTestSupport.firstSegment(dir, "t");
        byte[] data = Files.readAllBytes(segment);
        int cut = indexOf(data, body(30).getBytes(StandardCharsets.UTF_8));
        try (var file = java.nio.channels.FileChannel.open(segment, StandardOpenOption.WRITE)) {
            file.truncate(cut); // records 30 to 99 gone, the cursor past the end
        }
        try (LocalEngine engine = open()) {
            publish(engine, 100, 110);
            assertThat(drain(engine)).containsExactlyElementsOf(names(100, 110));
        }
    }

    /**
     * A copy of the data directory taken while the engine runs: what a killed process leaves
     * (the engine writes its journal before each delivery).
     */
    private Path copyOfRunningEngine() throws IOException {
        Path copy = crashedDir;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(dir.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("LOCK")) {
                    Files.copy(p, target);
                }
            }
        }
        return copy;
    }

    /** The journal records of {@code file}, as {start, type} pairs. */
    private static List<int[]> journalRecords(Path file) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
        List<int[]> out = new ArrayList<>();
        while (data.remaining() >= 9) {
            int start = data.position();
            int length = data.getInt(start);
            out.add(new int[] {start, data.get(start + 8)});
            data.position(start + 8 + length);
        }
        return out;
    }

    private static Path newestJournal(Path channelDir) throws IOException {
        List<Path> files = FileJournal.files(channelDir);
        return files.stream()
                .filter(p -> {
                    try {
                        return Files.size(p) > 0;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    @Test
    void shouldLoseOnlyTheDamagedJournalRecordAndRedeliverItsMessage() throws IOException {
        Path crashed;
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, 0, 100);
            List<Lease> first = done(engine.claim("t", "c", 60, LEASE));
            for (Lease l : first.subList(0, 50)) {
                done(engine.ack(l));
            }
            assertThat(done(engine.claim("t", "c", 1, LEASE))).hasSize(1); // writes the journal
            crashed = copyOfRunningEngine();
        }
        Path journal = newestJournal(crashed.resolve("topics/t-t/c-c"));
        List<int[]> finishes = journalRecords(journal).stream()
                .filter(r -> r[1] == ChannelJournal.FINISH)
                .toList();
        assertThat(finishes).hasSize(50);
        byte[] data = Files.readAllBytes(journal);
        data[finishes.get(24)[0] + 12] ^= 0x11; // inside the key of the 25th finish
        Files.write(journal, data);
        try (LocalEngine engine = open(crashed, b -> b)) {
            List<String> expected = new ArrayList<>();
            expected.add(body(24).substring(0, 7)); // its finish was lost: delivered again
            expected.addAll(names(50, 100));
            assertThat(drain(engine)).containsExactlyElementsOf(expected);
            RecoveryStats found = channel(engine, "t", "c").recovery();
            assertThat(found.damagedStretches()).isEqualTo(1);
            assertThat(found.recordsLost()).isEqualTo(1);
        }
        assertThat(quarantined(crashed)).hasSize(1);
    }

    @Test
    void shouldRedeliverAMessageWhoseDeliveryRecordWasDamagedAfterTheCursorPassedIt() throws IOException {
        Path crashed;
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, 0, 100);
            List<Lease> first = done(engine.claim("t", "c", 60, LEASE));
            for (Lease l : first.subList(0, 50)) {
                done(engine.ack(l));
            }
            assertThat(done(engine.claim("t", "c", 20, LEASE))).hasSize(20); // 60 to 79, in flight
            crashed = copyOfRunningEngine();
        }
        Path journal = newestJournal(crashed.resolve("topics/t-t/c-c"));
        List<int[]> deliveries = journalRecords(journal).stream()
                .filter(r -> r[1] == ChannelJournal.DELIVER)
                .toList();
        assertThat(deliveries).hasSize(80);
        byte[] data = Files.readAllBytes(journal);
        data[deliveries.get(65)[0] + 12] ^= 0x11; // inside the key of message 65's delivery
        Files.write(journal, data);
        try (LocalEngine engine = open(crashed, b -> b)) {
            // the cursor had passed message 65 when the damaged record was written: without its
            // delivery nothing tracks it, so the log is read again from before the damage
            assertThat(drain(engine)).containsExactlyElementsOf(names(50, 100));
            assertThat(channel(engine, "t", "c").recovery().recordsLost()).isEqualTo(1);
        }
    }

    private void runAndClose() {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, 0, 100);
            List<Lease> first = done(engine.claim("t", "c", 60, LEASE));
            for (Lease l : first.subList(0, 50)) {
                done(engine.ack(l));
            }
        }
    }

    private void damageSnapshot() throws IOException {
        Path snapshot = dir.resolve("topics/t-t/c-c").resolve(Snapshot.FILE);
        byte[] data = Files.readAllBytes(snapshot);
        data[data.length / 2] ^= 0x40;
        Files.write(snapshot, data);
    }

    @Test
    void shouldFallBackToThePreviousSnapshotAndItsJournalsWhenTheSnapshotIsDamaged() throws IOException {
        runAndClose();
        damageSnapshot();
        try (LocalEngine engine = open()) {
            assertThat(drain(engine)).containsExactlyElementsOf(names(50, 100));
            RecoveryStats found = channel(engine, "t", "c").recovery();
            assertThat(found.damagedStretches()).isEqualTo(1);
            assertThat(found.bytesQuarantined()).isPositive();
        }
        assertThat(quarantined(dir))
                .singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString()).isEqualTo(Snapshot.FILE + Quarantine.MARK + 0));
    }

    @Test
    void shouldDeliverEverythingAgainWhenNoSnapshotIsIntact() throws IOException {
        runAndClose();
        damageSnapshot();
        Files.delete(dir.resolve("topics/t-t/c-c").resolve(Snapshot.PREVIOUS));
        try (LocalEngine engine = open()) {
            assertThat(drain(engine)).as("duplicates, no loss").containsExactlyElementsOf(names(0, 100));
        }
    }

    /**
     * Publishes messages 0 to 9 on t, claims them on c and requeues each with {@code delay}, then
     * closes the engine; returns the retry bucket file holding their copies.
     */
    private Path requeueTenInto(Duration delay) throws IOException {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("t", "c"));
            publish(engine, 0, 10);
            for (Lease l : done(engine.claim("t", "c", 10, LEASE))) {
                done(engine.nack(l, delay));
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve("topics/t-t/c-c/retry"))) {
            return files.filter(p -> p.toString().endsWith(".bkt")).findFirst().orElseThrow();
        }
    }

    @Test
    void shouldKeepTheIntactCopiesOfADamagedRetryBucket() throws IOException {
        // an hour ahead: the copies stay in their bucket file, not in memory
        Path bucket = requeueTenInto(Duration.ofHours(1));
        flipInsideBody(bucket, 4);
        try (LocalEngine engine = open()) {
            clock.advance(Duration.ofHours(1).plusMinutes(1));
            List<String> expected = new ArrayList<>(names(0, 10));
            expected.remove(body(4).substring(0, 7));
            org.awaitility.Awaitility.await()
                    .until(() -> channel(engine, "t", "c").depth() == 9);
            assertThat(drain(engine)).containsExactlyInAnyOrderElementsOf(expected);
            RecoveryStats found = channel(engine, "t", "c").recovery();
            assertThat(found.damagedStretches()).isEqualTo(1);
            assertThat(found.recordsKept()).isEqualTo(5);
        }
        assertThat(quarantined(dir)).hasSize(1);
    }

    @Test
    void shouldDeliverTheIntactCopiesOfARetryBucketCutShortInsideARecord() throws IOException {
        // a few seconds ahead: the copies are read back one by one, not as a whole bucket
        Path bucket = requeueTenInto(Duration.ofSeconds(3));
        byte[] data = Files.readAllBytes(bucket);
        int cut = indexOf(data, body(6).getBytes(StandardCharsets.UTF_8)) + 10;
        try (java.nio.channels.FileChannel ch =
                java.nio.channels.FileChannel.open(bucket, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(cut);
        }
        try (LocalEngine engine = open()) {
            clock.advance(Duration.ofSeconds(5));
            List<String> delivered = new ArrayList<>();
            org.awaitility.Awaitility.await().until(() -> {
                delivered.addAll(drain(engine));
                return delivered.size() >= 6;
            });
            assertThat(delivered).containsAll(names(0, 6)).doesNotHaveDuplicates();
        }
    }
}
