package dev.ferry.bench.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Ferry's fault suite, run by {@code make chaos}: starts real {@code ferry server} processes (from
 * {@code ferry.jar}, data in a temporary directory, free loopback ports), inflicts faults and hostile
 * input on them, and prints one table of what it measured. Exits 1 when any row failed (above all,
 * when an acknowledged message was lost), 2 on a usage error, 0 otherwise. docs/RELIABILITY.md
 * describes each row.
 *
 * <p>Options: {@code --jar ferry.jar} (required), {@code --time SECONDS} (about how long the whole
 * run takes, default 300), {@code --seed N} (random choices; printed, so a run can be repeated),
 * {@code --only kill,diskfull,damage,hostile,connections,slow} (some rows), {@code --rss-bound-mib N}
 * (the slow consumers' memory bound, default 768), {@code --keep} (keep the working directory).
 *
 * <p>Run it alone: it needs the machine (10,000 connections, a mounted file system when root, disk
 * writes of about a GiB).
 */
public final class FaultSuite {
    private static final Set<String> ROWS = Set.of("kill", "diskfull", "damage", "hostile", "connections", "slow");

    private FaultSuite() {}

    /**
     * Runs the suite with the options above and exits with its verdict.
     *
     * @param args the options
     * @throws Exception when the suite itself cannot run (not when a row fails: that is a row)
     */
    public static void main(String[] args) throws Exception {
        Path jar = null;
        int time = 300;
        long seed = System.nanoTime();
        Set<String> only = ROWS;
        long rssBound = 768;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--jar" -> jar = Path.of(value);
                case "--time" -> time = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--only" -> only = Set.of(value.split(","));
                case "--rss-bound-mib" -> rssBound = Long.parseLong(value);
                case "--keep" -> {
                    keep = true;
                    i--;
                }
                default -> usage("unknown option " + args[i]);
            }
            i++;
        }
        if (jar == null || !Files.isRegularFile(jar)) {
            usage("--jar must name ferry-server/target/ferry.jar (make build makes it); got " + jar);
        }
        if (!ROWS.containsAll(only)) {
            usage("--only takes some of " + ROWS + "; got " + only);
        }
        Path work = Files.createTempDirectory("ferry-chaos-");
        // the two rows that run for a while share what the others (about 190 s) leave of the time
        int perRow = Math.max(15, (time - 190) / 2);
        Run run = new Run(jar, work, seed, perRow, List.of("-Xmx256m"));
        System.out.printf(
                "ferry fault suite: seed %d, %d s per timed row, working in %s (%s)%n",
                seed, perRow, work, Instant.now());
        List<Row> rows = new ArrayList<>();
        long start = System.nanoTime();
        if (only.contains("kill")) {
            rows.addAll(attempt("kill -9 loop", () -> List.of(KillLoop.run(run))));
        }
        if (only.contains("diskfull")) {
            rows.addAll(attempt("disk full", () -> List.of(DiskFull.run(run))));
        }
        if (only.contains("damage")) {
            rows.addAll(attempt("data file damage", () -> FileDamage.run(run)));
        }
        if (only.contains("hostile")) {
            rows.addAll(attempt("hostile input", () -> HostileInputs.run(run)));
        }
        if (only.contains("connections")) {
            rows.addAll(attempt("10,000 connections", () -> List.of(ManyConnections.run(run))));
        }
        if (only.contains("slow")) {
            long bound = rssBound;
            rows.addAll(attempt("slow consumers", () -> List.of(SlowConsumers.run(run, bound))));
        }
        System.out.println();
        System.out.println("| fault or input | result | verdict |");
        System.out.println("| --- | --- | --- |");
        for (Row r : rows) {
            System.out.printf("| %s | %s | %s |%n", r.fault(), r.result(), r.verdict());
        }
        long failed = rows.stream().filter(r -> r.verdict() == Row.Verdict.FAIL).count();
        System.out.printf(
                "%n%d rows: %d passed, %d failed, %d skipped, in %.0f s; seed %d%n",
                rows.size(),
                rows.stream().filter(r -> r.verdict() == Row.Verdict.PASS).count(),
                failed,
                rows.stream().filter(r -> r.verdict() == Row.Verdict.SKIPPED).count(),
                (System.nanoTime() - start) / 1e9,
                seed);
        if (keep || failed > 0) {
            System.out.println("data and broker logs kept in " + work);
        } else {
            delete(work);
        }
        System.exit(failed > 0 ? 1 : 0);
    }

    /** A part of the suite that returns rows. */
    private interface Part {
        List<Row> rows() throws Exception;
    }

    /** Runs a part; an exception in it is a failed row, not the end of the run. */
    private static List<Row> attempt(String name, Part part) {
        System.out.println("== " + name);
        try {
            List<Row> rows = part.rows();
            rows.forEach(r -> System.out.println("   " + r.verdict() + ": " + r.fault() + ": " + r.result()));
            return rows;
        } catch (Exception e) {
            e.printStackTrace(System.out);
            return List.of(Row.fail(name, "the suite failed: " + e));
        }
    }

    private static void usage(String message) {
        System.err.println("fault suite: " + message);
        System.exit(2);
    }

    private static void delete(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
