package dev.ferry.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Bit flips and truncation at seeded random places in each kind of data file, then a restart: every
 * message acknowledged and not finished must be delivered again, except those whose own record was
 * damaged (a segment's or retry bucket's records overlapping the damaged bytes, read from the file
 * before the damage). A damaged journal or snapshot may cause redeliveries, never a loss.
 *
 * <p>One data directory is prepared (published, partly consumed and requeued, stopped cleanly so a
 * snapshot exists, started again, consumed further with messages left in flight and deferred
 * publishes pending, then killed with SIGKILL); each case damages a copy of it.
 */
final class FileDamage {
    private static final String TOPIC = "chaos.dmg";
    private static final String CHANNEL = "c";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a file is damaged. */
    enum Damage {
        FLIP,
        TRUNCATE
    }

    private final Run run;
    private final Ledger prepared = new Ledger();
    private final Set<String> finished = new HashSet<>();
    /** When the deferred publishes are due (wall clock, ms). */
    private long deferredDue;

    private FileDamage(Run run) {
        this.run = run;
    }

    static List<Row> run(Run run) throws Exception {
        FileDamage suite = new FileDamage(run);
        Path prepared = suite.prepare();
        Random random = run.random("damage");
        List<Row> rows = new ArrayList<>();
        for (DataFiles.Kind kind : DataFiles.Kind.values()) {
            for (Damage damage : Damage.values()) {
                rows.add(suite.damageAndRecover(prepared, kind, damage, random));
            }
        }
        return rows;
    }

    private Path prepare() throws Exception {
        Path data = run.dir("damage/prepared").resolve("data");
        try (Broker b = run.broker(data)) {
            b.http("POST", "/channel/create?topic=" + TOPIC + "&channel=" + CHANNEL, null);
            publish(b, 0, 4000);
            // consume 1,500: finish most, requeue every 50th for 3 s (a copy in a retry bucket)
            try (NsqConnection c = NsqConnection.open(b.tcpPort(), 10_000)) {
                c.subscribe(TOPIC, CHANNEL, 100);
                for (int i = 0; i < 1500; ) {
                    NsqConnection.Frame f = c.next();
                    if (f.type() != NsqConnection.MESSAGE) {
                        continue;
                    }
                    String body = new String(f.body(), StandardCharsets.UTF_8);
                    if (i++ % 50 == 0) {
                        c.command("REQ " + f.id() + " 3000", null);
                    } else {
                        c.finish(f.id());
                        c.flush();
                        finished.add(body);
                    }
                }
            }
            b.stop(); // a clean stop writes the channel's snapshot
        }
        Broker b = run.broker(data);
        try (NsqConnection c = NsqConnection.open(b.tcpPort(), 10_000)) {
            // deferred publishes, due 15 s later: the cursor copies them into a retry bucket as it passes
            deferredDue = System.currentTimeMillis() + 15_000;
            try (NsqConnection p = NsqConnection.open(b.tcpPort(), 10_000)) {
                for (int i = 0; i < 20; i++) {
                    String body = body(10_000 + i);
                    p.command("DPUB " + TOPIC + " 15000", body.getBytes(StandardCharsets.UTF_8));
                    if (p.answer().equals("OK")) {
                        prepared.acknowledged(body);
                    }
                }
            }
            publish(b, 4000, 1000);
            c.subscribe(TOPIC, CHANNEL, 100);
            // 600 more: finish 480 (journal records), requeue 20 for 15 s, keep the last 100 in flight
            for (int i = 0; i < 600; ) {
                NsqConnection.Frame f = c.next();
                if (f.type() != NsqConnection.MESSAGE) {
                    continue;
                }
                if (i < 500 && i % 25 == 0) {
                    // requeued for 15 s: copied into a retry bucket
                    c.command("REQ " + f.id() + " 15000", null);
                } else if (i < 500) {
                    c.finish(f.id());
                    c.flush();
                    finished.add(new String(f.body(), StandardCharsets.UTF_8));
                }
                i++;
            }
            b.kill();
        } finally {
            b.close();
        }
        return data;
    }

    private void publish(Broker b, int from, int count) throws IOException {
        try (NsqConnection p = NsqConnection.open(b.tcpPort(), 10_000)) {
            for (int i = from; i < from + count; i += 100) {
                List<byte[]> batch = new ArrayList<>();
                List<String> bodies = new ArrayList<>();
                for (int j = i; j < i + 100; j++) {
                    bodies.add(body(j));
                    batch.add(body(j).getBytes(StandardCharsets.UTF_8));
                }
                if (p.publishMany(TOPIC, batch).equals("OK")) {
                    bodies.forEach(prepared::acknowledged);
                }
            }
        }
    }

    private static String body(int n) {
        return "dmg-" + n + "-" + "y".repeat(80);
    }

    private Row damageAndRecover(Path prepared, DataFiles.Kind kind, Damage damage, Random random) throws Exception {
        String name = kind.name().toLowerCase() + "-" + damage.name().toLowerCase();
        Path data = run.dir("damage/" + name).resolve("data");
        copy(prepared, data);
        Path file = kind.find(data);
        String what = (damage == Damage.FLIP ? "16 bytes flipped in a " : "truncated ") + kind.label;
        if (file == null) {
            return Row.fail(what, "the prepared data held no " + kind.label + " file");
        }
        byte[] before = Files.readAllBytes(file);
        long from;
        long to;
        if (damage == Damage.FLIP) {
            from = random.nextInt(Math.max(1, before.length - 16));
            to = Math.min(before.length, from + 16);
            byte[] after = before.clone();
            for (long i = from; i < to; i++) {
                after[(int) i] ^= (byte) (1 + random.nextInt(255));
            }
            Files.write(file, after);
        } else {
            from = random.nextInt(before.length);
            to = before.length;
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(from);
            }
        }
        Set<String> damaged =
                kind.firstRecord < 0 ? Set.of() : DataFiles.bodiesOverlapping(before, kind.firstRecord, from, to);
        Set<String> expected = new HashSet<>(this.prepared.acknowledgedBodies());
        expected.removeAll(finished);
        Ledger after = new Ledger();
        JsonNode stats;
        try (Broker b = run.broker(data)) {
            Consumer.drain(b, TOPIC, CHANNEL, after, expected, 8_000, deferredDue + 2_000, body -> true);
            // and what is published after the recovery must arrive too
            Ledger fresh = new Ledger();
            try (NsqConnection p = NsqConnection.open(b.tcpPort(), 10_000)) {
                for (int i = 0; i < 100; i++) {
                    String body = "after-" + i;
                    if (p.publish(TOPIC, body.getBytes(StandardCharsets.UTF_8)).equals("OK")) {
                        fresh.acknowledged(body);
                        expected.add(body);
                    }
                }
            }
            Consumer.drain(b, TOPIC, CHANNEL, after, fresh.acknowledgedBodies(), 8_000, 0, body -> true);
            stats = JSON.readTree(
                    b.http("GET", "/stats?format=json&topic=" + TOPIC, null).body());
            b.stop();
        } catch (IllegalStateException e) {
            return Row.fail(what, "the broker did not start again: " + e.getMessage());
        }
        Set<String> lost = after.missing(expected);
        Set<String> lostUndamaged = new HashSet<>(lost);
        lostUndamaged.removeAll(damaged);
        long damagedExpected = damaged.stream().filter(expected::contains).count();
        String result = String.format(
                "%s %s of %,d B at byte %,d: %d record(s) damaged, %d of them unfinished; "
                        + "%,d of %,d expected (100 published after the restart among them) delivered, "
                        + "%,d lost (%,d not damaged%s), %,d finished ones redelivered; "
                        + "recovery: %s; %d quarantine file(s)",
                kind.label,
                file.getFileName(),
                before.length,
                from,
                damaged.size(),
                damagedExpected,
                expected.size() - lost.size(),
                expected.size(),
                lost.size(),
                lostUndamaged.size(),
                lostUndamaged.isEmpty()
                        ? ""
                        : ": "
                                + lostUndamaged.stream()
                                        .sorted()
                                        .limit(3)
                                        .map(x -> x.substring(0, Math.min(12, x.length())))
                                        .toList(),
                finished.stream().filter(after::wasDelivered).count(),
                recovery(stats),
                quarantined(data));
        return Row.of(lostUndamaged.isEmpty(), what, result);
    }

    /** The recovery counts /stats shows for the topic and channel, summed. */
    private static String recovery(JsonNode stats) {
        long lost = 0;
        long kept = 0;
        long cut = 0;
        for (JsonNode r : stats.findValues("recovery")) {
            lost += r.path("records_lost").asLong();
            kept += r.path("records_kept").asLong();
            cut += r.path("torn_bytes_cut").asLong();
        }
        return String.format("%,d records lost, %,d kept, %,d torn bytes cut", lost, kept, cut);
    }

    private static long quarantined(Path data) throws IOException {
        try (Stream<Path> files = Files.walk(data)) {
            return files.filter(f -> f.getFileName().toString().contains(".damaged-at-"))
                    .count();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
