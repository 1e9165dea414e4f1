package dev.ferry.internal.engine;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.StorageException;
import dev.ferry.SyncPolicy;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The embedded engine's files are read back after crashes and disk faults, so their bytes are
 * untrusted: a channel journal, a snapshot, a log segment or a queue's state file may be cut short,
 * have bits flipped, hold a stretch of garbage, or be garbage. Recovery keeps every record the damage
 * did not touch, never throws past recovery (a snapshot read fails with an {@link IOException} that
 * recovery handles), never loops, and allocates in proportion to the bytes, not to counts in them.
 */
class DamagedDataPropertyTest {
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** What is done to a file's bytes, reproducibly from {@code seed}. */
    record Damage(Kind kind, long seed) {
        enum Kind {
            FLIP_BITS,
            GARBAGE_STRETCH,
            TRUNCATE,
            APPEND_GARBAGE,
            ALL_GARBAGE
        }

        /**
         * The damaged bytes, and in {@code touched} the range [from, to) of the original bytes that no
         * longer hold what they held (to is the length for a cut).
         */
        byte[] apply(byte[] data, long[] touched) {
            Random random = new Random(seed);
            int n = data.length;
            switch (kind) {
                case FLIP_BITS -> {
                    if (n == 0) {
                        touched[0] = touched[1] = 0;
                        return data;
                    }
                    byte[] out = data.clone();
                    int from = random.nextInt(n);
                    int to = Math.min(n, from + 1 + random.nextInt(16));
                    for (int i = from; i < to; i++) {
                        out[i] ^= (byte) (1 + random.nextInt(255));
                    }
                    touched[0] = from;
                    touched[1] = to;
                    return out;
                }
                case GARBAGE_STRETCH -> {
                    byte[] out = data.clone();
                    int from = n == 0 ? 0 : random.nextInt(n);
                    int to = Math.min(n, from + 1 + random.nextInt(200));
                    byte[] junk = new byte[to - from];
                    random.nextBytes(junk);
                    System.arraycopy(junk, 0, out, from, junk.length);
                    touched[0] = from;
                    touched[1] = to;
                    return out;
                }
                case TRUNCATE -> {
                    int keep = n == 0 ? 0 : random.nextInt(n);
                    touched[0] = keep;
                    touched[1] = Long.MAX_VALUE;
                    return java.util.Arrays.copyOf(data, keep);
                }
                case APPEND_GARBAGE -> {
                    byte[] junk = new byte[1 + random.nextInt(300)];
                    random.nextBytes(junk);
                    byte[] out = java.util.Arrays.copyOf(data, n + junk.length);
                    System.arraycopy(junk, 0, out, n, junk.length);
                    touched[0] = n;
                    touched[1] = n;
                    return out;
                }
                default -> {
                    byte[] out = new byte[random.nextInt(Math.max(1, 2 * n + 64))];
                    random.nextBytes(out);
                    touched[0] = 0;
                    touched[1] = Long.MAX_VALUE;
                    return out;
                }
            }
        }

        boolean overlaps(long[] touched, long from, long to) {
            return from < touched[1] && touched[0] < to || touched[1] == Long.MAX_VALUE && to > touched[0];
        }
    }

    @Provide
    Arbitrary<Damage> damage() {
        return Combinators.combine(Arbitraries.of(Damage.Kind.class), Arbitraries.longs())
                .as(Damage::new);
    }

    // ---- channel journals -------------------------------------------------------------------------

    /** One journal record, described as the visitor sees it; {@code size} is its bytes on disk. */
    record Op(String text, int size) {}

    @Provide
    Arbitrary<List<Op>> journalOps() {
        Arbitrary<Long> v = Arbitraries.oneOf(
                Arbitraries.longs(), Arbitraries.longs().between(0, 100), Arbitraries.of(Long.MIN_VALUE, -1L));
        Arbitrary<Integer> i =
                Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.integers().between(0, 5));
        Arbitrary<Op> op = Arbitraries.oneOf(
                Combinators.combine(v, v).as((a, b) -> new Op("cursor " + a + " " + b, 25)),
                Combinators.combine(v, i).as((a, b) -> new Op("deliver " + a + " " + b, 21)),
                v.map(a -> new Op("finish " + a, 17)),
                Combinators.combine(v, v).as((a, b) -> new Op("requeue " + a + " " + b, 25)),
                Combinators.combine(v, v, v, i, v, v, v)
                        .as((a, b, c, d, e, f, g) ->
                                new Op("move " + a + " " + b + " " + c + " " + d + " " + e + " " + f + " " + g, 61)),
                v.map(a -> new Op("loaded " + a, 17)),
                Arbitraries.just(new Op("emptied", 9)));
        return op.list().ofMaxSize(40);
    }

    @Property(tries = 200)
    void journalReplayKeepsEveryRecordTheDamageDidNotTouch(
            @ForAll("journalOps") List<Op> ops, @ForAll("damage") Damage damage) throws Exception {
        withTempDir(dir -> {
            FileJournal journal = FileJournal.create(dir, FileIo.DEFAULT, 1);
            for (Op op : ops) {
                play(journal, op.text());
            }
            journal.close();
            Path file = FileJournal.files(dir).get(0);
            long[] touched = new long[2];
            Files.write(file, damage.apply(Files.readAllBytes(file), touched));

            List<String> seen = new ArrayList<>();
            DamageCounts counts = new DamageCounts();
            assertTimeoutPreemptively(TRY_TIMEOUT, () -> FileJournal.replay(file, recorder(seen), counts));

            List<String> untouched = new ArrayList<>();
            long at = 0;
            for (Op op : ops) {
                if (!damage.overlaps(touched, at, at + op.size())) {
                    untouched.add(op.text());
                }
                at += op.size();
            }
            assertSubsequence("every untouched record replayed, in order", untouched, seen);
            assertSubsequence(
                    "nothing replayed that was not written",
                    seen,
                    ops.stream().map(Op::text).toList());
        });
    }

    /** {@code part} appears in {@code whole} in order, other elements between (none is fine). */
    private static void assertSubsequence(String what, List<String> part, List<String> whole) {
        if (!part.isEmpty()) {
            assertThat(whole).as(what).containsSubsequence(part);
        }
    }

    private static void play(FileJournal journal, String op) {
        String[] f = op.split(" ");
        switch (f[0]) {
            case "cursor" -> journal.cursor(Long.parseLong(f[1]), Long.parseLong(f[2]));
            case "deliver" -> journal.deliver(Long.parseLong(f[1]), Integer.parseInt(f[2]));
            case "finish" -> journal.finish(Long.parseLong(f[1]));
            case "requeue" -> journal.requeue(Long.parseLong(f[1]), Long.parseLong(f[2]));
            case "move" ->
                journal.move(
                        Long.parseLong(f[1]),
                        Long.parseLong(f[2]),
                        Long.parseLong(f[3]),
                        Integer.parseInt(f[4]),
                        Long.parseLong(f[5]),
                        Long.parseLong(f[6]),
                        Long.parseLong(f[7]));
            case "loaded" -> journal.loaded(Long.parseLong(f[1]));
            default -> journal.emptied();
        }
    }

    private static FileJournal.Visitor recorder(List<String> seen) {
        return new FileJournal.Visitor() {
            @Override
            public void cursor(long offset, long seq) {
                seen.add("cursor " + offset + " " + seq);
            }

            @Override
            public void deliver(long key, int attempts) {
                seen.add("deliver " + key + " " + attempts);
            }

            @Override
            public void finish(long key) {
                seen.add("finish " + key);
            }

            @Override
            public void requeue(long key, long dueAt) {
                seen.add("requeue " + key + " " + dueAt);
            }

            @Override
            public void move(long key, long bucket, long pos, int attempts, long dueAt, long id, long timestamp) {
                seen.add("move " + key + " " + bucket + " " + pos + " " + attempts + " " + dueAt + " " + id + " "
                        + timestamp);
            }

            @Override
            public void loaded(long bucket) {
                seen.add("loaded " + bucket);
            }

            @Override
            public void emptied() {
                seen.add("emptied");
            }
        };
    }

    // ---- snapshots --------------------------------------------------------------------------------

    @Provide
    Arbitrary<Snapshot> snapshot() {
        Arbitrary<Snapshot.Item> item = Combinators.combine(
                        Arbitraries.longs(),
                        Arbitraries.longs(),
                        Arbitraries.longs(),
                        Arbitraries.integers(),
                        Arbitraries.longs(),
                        Arbitraries.longs(),
                        Arbitraries.longs())
                .as(Snapshot.Item::new);
        return Combinators.combine(
                        Arbitraries.longs().between(0, 1000),
                        Arbitraries.longs(),
                        Arbitraries.longs(),
                        Arbitraries.longs().list().ofMaxSize(5),
                        item.list().ofMaxSize(30))
                .as((gen, offset, seq, buckets, items) -> new Snapshot(gen, offset, seq, 1, 2, 3, 4, buckets, items));
    }

    @Property(tries = 120)
    void aDamagedSnapshotIsRefusedAsCorruptWithinTheMemoryItsBytesBack(
            @ForAll("snapshot") Snapshot written, @ForAll("damage") Damage damage) throws Exception {
        withTempDir(dir -> {
            written.write(dir, FileIo.DEFAULT);
            Path file = dir.resolve(Snapshot.FILE);
            byte[] original = Files.readAllBytes(file);
            long[] touched = new long[2];
            byte[] damaged = damage.apply(original, touched);
            Files.write(file, damaged);

            long thread = Thread.currentThread().threadId();
            long before = THREADS.getThreadAllocatedBytes(thread);
            Snapshot read;
            try {
                read = Snapshot.readFile(file);
            } catch (IOException e) {
                read = null;
            }
            long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
            // a 64 KiB read buffer, then the lists and items: a few times the file's bytes
            assertThat(allocated).isLessThan(256 * 1024 + 32L * damaged.length);
            if (java.util.Arrays.equals(original, damaged)) {
                assertThat(read).isEqualTo(written);
            } else if (damage.kind() == Damage.Kind.APPEND_GARBAGE) {
                // the checksum covers what the header counts: bytes after it are not read
                assertThat(read).isIn(written, null);
            } else {
                assertThat(read)
                        .as("a damaged snapshot is never taken as intact")
                        .isNull();
            }
        });
    }

    @Example
    void aSnapshotCountingMoreItemsThanItsBytesHoldIsRefusedBeforeAnythingIsAllocated() throws Exception {
        withTempDir(dir -> {
            new Snapshot(1, 0, 0, 0, 0, 0, 0, List.of(), List.of()).write(dir, FileIo.DEFAULT);
            Path file = dir.resolve(Snapshot.FILE);
            byte[] data = Files.readAllBytes(file);
            // the item count sits after 8 longs and the bucket count
            java.nio.ByteBuffer.wrap(data).putInt(8 * 8 + 4, Integer.MAX_VALUE);
            Files.write(file, data);
            assertThatThrownBy(() -> Snapshot.readFile(file))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("item count");
        });
    }

    // ---- the engine's whole data directory --------------------------------------------------------

    private static final int MESSAGES = 40;

    private static String body(int i) {
        return String.format("message-%04d", i);
    }

    private static LocalEngine open(Path data, MutableClock clock) {
        return LocalEngine.open(
                EmbeddedEngineConfig.file(data)
                        .minFreeDiskBytes(0)
                        .syncPolicy(SyncPolicy.NEVER)
                        .build(),
                clock);
    }

    /**
     * An engine's data with {@value #MESSAGES} messages on topic t, some finished on channel c, and
     * two queues' states; then one of its files is damaged. After a restart the engine opens, every
     * message whose record the damage did not touch and that was not finished is delivered (a
     * finished one may come again when its journal entry was damaged; none is made up), and the
     * undamaged queue keeps its state.
     */
    @Property(tries = 50)
    void recoveryKeepsEveryUndamagedMessageAndQueueWhicheverFileIsDamaged(
            @ForAll @LongRange(min = 0, max = (1L << 40) - 1) long finishedMask,
            @ForAll @IntRange(min = 0, max = 1000) int fileChoice,
            @ForAll("damage") Damage damage)
            throws Exception {
        withTempDir(data -> {
            MutableClock clock = MutableClock.start();
            Set<String> finished = new HashSet<>();
            try (LocalEngine engine = open(data, clock)) {
                done(engine.createChannel("t", "c"));
                List<PublishRecord> batch = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    batch.add(PublishRecord.of(body(i).getBytes(StandardCharsets.UTF_8)));
                }
                engine.append("t", batch).join();
                for (Lease l : done(engine.claim("t", "c", MESSAGES, LEASE))) {
                    String text = EngineTestSupport.text(l);
                    if ((finishedMask & (1L << Integer.parseInt(text.substring(8)))) != 0) {
                        done(engine.ack(l));
                        finished.add(text);
                    } else {
                        done(engine.nack(l, Duration.ZERO));
                    }
                }
                engine.queueState().attach("qa", "a", Duration.ofHours(1), Duration.ofMinutes(1));
                engine.queueState().setMetadata("qa", "k", "a");
                engine.queueState().attach("qb", "b", Duration.ofHours(1), Duration.ofMinutes(1));
                engine.queueState().setMetadata("qb", "k", "b");
            }
            List<Path> files = dataFiles(data);
            Path target = files.get(fileChoice % files.size());
            byte[] original = Files.readAllBytes(target);
            long[] touched = new long[2];
            Files.write(target, damage.apply(original, touched));
            String name = target.getFileName().toString();

            List<String> delivered = new ArrayList<>();
            if (name.startsWith("q-") && formatNumberChanged(original, Files.readAllBytes(target))) {
                // another format number is a newer Ferry's file, not damage: refused by name, not guessed at
                assertThatThrownBy(() -> open(data, clock).close())
                        .isInstanceOf(StorageException.class)
                        .hasMessageContaining(name)
                        .hasMessageContaining("format");
                return;
            }
            assertTimeoutPreemptively(TRY_TIMEOUT, () -> {
                try (LocalEngine engine = open(data, clock)) {
                    for (List<Lease> got; !(got = done(engine.claim("t", "c", 100, LEASE))).isEmpty(); ) {
                        for (Lease l : got) {
                            delivered.add(EngineTestSupport.text(l));
                            done(engine.ack(l));
                        }
                    }
                    if (!name.equals("q-qb.json")) {
                        assertThat(engine.queueState().state("qb"))
                                .as("the undamaged queue's state")
                                .hasValueSatisfying(
                                        s -> assertThat(s.metadata()).containsEntry("k", "b"));
                    }
                }
            });

            List<String> expected = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                String b = body(i);
                boolean damagedRecord = name.endsWith(LogSegment.SUFFIX)
                        && damage.overlaps(
                                touched,
                                LogSegment.HEADER + (long) i * RecordCodec.size(b.length()),
                                LogSegment.HEADER + (long) (i + 1) * RecordCodec.size(b.length()));
                if (!finished.contains(b) && !damagedRecord) {
                    expected.add(b);
                }
            }
            assertThat(delivered)
                    .as("delivered after damage to %s (%s)", name, damage)
                    .containsAll(expected);
            assertThat(delivered).doesNotHaveDuplicates();
            for (String d : delivered) {
                assertThat(d).matches("message-\\d{4}");
            }
        });
    }

    /** Whether a queue state file still reads as JSON with a whole-number format, but another one. */
    private static boolean formatNumberChanged(byte[] original, byte[] damaged) {
        try {
            com.fasterxml.jackson.databind.JsonNode before = JSON.readTree(original);
            com.fasterxml.jackson.databind.JsonNode after = JSON.readTree(damaged);
            return after.path("format").canConvertToInt()
                    && after.path("format").asInt() != before.path("format").asInt();
        } catch (IOException e) {
            return false;
        }
    }

    @Example
    void aSegmentWhoseHeaderIsDamagedIsRebuiltAndEveryMessageInItIsDelivered() throws Exception {
        withTempDir(data -> {
            MutableClock clock = MutableClock.start();
            try (LocalEngine engine = open(data, clock)) {
                done(engine.createChannel("t", "c"));
                List<PublishRecord> batch = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    batch.add(PublishRecord.of(body(i).getBytes(StandardCharsets.UTF_8)));
                }
                engine.append("t", batch).join();
            }
            Path segment = dataFiles(data).stream()
                    .filter(p -> p.getFileName().toString().endsWith(LogSegment.SUFFIX))
                    .findFirst()
                    .orElseThrow();
            byte[] bytes = Files.readAllBytes(segment);
            byte[] header = java.util.Arrays.copyOf(bytes, LogSegment.HEADER);
            for (int i = 0; i < LogSegment.HEADER; i++) {
                bytes[i] ^= (byte) 0x5a;
            }
            Files.write(segment, bytes);

            List<String> delivered = new ArrayList<>();
            try (LocalEngine engine = open(data, clock)) {
                for (List<Lease> got; !(got = done(engine.claim("t", "c", 100, LEASE))).isEmpty(); ) {
                    for (Lease l : got) {
                        delivered.add(EngineTestSupport.text(l));
                        done(engine.ack(l));
                    }
                }
                assertThat(done(engine.stats("t")).orElseThrow().recovery().damagedStretches())
                        .isEqualTo(1);
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                expected.add(body(i));
            }
            assertThat(delivered).containsExactlyElementsOf(expected);
            byte[] damagedHeader = java.util.Arrays.copyOf(bytes, LogSegment.HEADER);
            assertThat(Quarantine.fileFor(segment, 0)).hasBinaryContent(damagedHeader);
            assertThat(damagedHeader).isNotEqualTo(header);
        });
    }

    @Example
    void aQueueStateFileThatIsNotJsonIsSetAsideAndTheEngineStarts() throws Exception {
        withTempDir(data -> {
            MutableClock clock = MutableClock.start();
            try (LocalEngine engine = open(data, clock)) {
                engine.queueState().attach("qa", "a", Duration.ofHours(1), Duration.ofMinutes(1));
                engine.queueState().attach("qb", "b", Duration.ofHours(1), Duration.ofMinutes(1));
            }
            Path damaged = data.resolve(LocalQueueStates.DIR).resolve("q-qa.json");
            Files.write(damaged, new byte[] {'{', '"', (byte) 0xbd, 0});
            try (LocalEngine engine = open(data, clock)) {
                assertThat(engine.queueState().state("qa")).isEmpty();
                assertThat(engine.queueState().state("qb")).isPresent();
            }
            assertThat(damaged).doesNotExist();
            assertThat(Quarantine.fileFor(damaged, 0)).hasBinaryContent(new byte[] {'{', '"', (byte) 0xbd, 0});
        });
    }

    /** The engine's data files: segments, journals, snapshots and queue states. */
    private static List<Path> dataFiles(Path data) throws IOException {
        try (Stream<Path> all = Files.walk(data)) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(LogSegment.SUFFIX)
                                || n.startsWith("journal-")
                                || n.startsWith(Snapshot.FILE)
                                || (n.startsWith("q-") && n.endsWith(".json"));
                    })
                    .sorted()
                    .toList();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    interface InDir {
        void run(Path dir) throws Exception;
    }

    private static void withTempDir(InDir body) throws Exception {
        // the files are forced as they are written: on a memory file system when there is one, so
        // that hundreds of tries cost no disk flushes (the bytes are the same)
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "ferry-damage-")
                : Files.createTempDirectory("ferry-damage-");
        try {
            body.run(dir);
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
