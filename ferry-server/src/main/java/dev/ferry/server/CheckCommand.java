package dev.ferry.server;

import dev.ferry.support.DataChecks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry check --data-path DIR [--repair]}: reads a stopped broker's data directory and
 * reports damage per file without changing anything; with {@code --repair}, does what the engine's
 * recovery does (quarantines damaged bytes, cuts torn tails, rebuilds damaged snapshots).
 *
 * <p>Exit codes: 0 when no file holds damage (torn tails alone are the normal trace of a crash and
 * do not count) or the repair succeeded, 1 when damage was found or the check could not run (a
 * running broker holds the directory, the directory is missing or of another format).
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Check the data directory of a stopped Ferry broker for damaged files, changing nothing.",
            "Exits 1 when a file holds damage. With --repair, does what the broker's recovery does at start:"
                    + " copies damaged bytes into quarantine files next to the data, cuts torn tails, rebuilds"
                    + " damaged snapshots."
        })
final class CheckCommand implements Callable<Integer> {
    /** At most one progress line this often, in nanoseconds. */
    private static final long PROGRESS_EVERY = 1_000_000_000L;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"--data-path", "-data-path"},
            required = true,
            paramLabel = "DIR",
            description = "The broker's data directory (its --data-path).")
    private Path dataPath;

    @Option(
            names = {"--repair", "-repair"},
            description = "Repair as the broker's recovery does, then report what remains (quarantined damage).")
    private boolean repair;

    @Option(
            names = {"--max-msg-size", "-max-msg-size"},
            defaultValue = "1048576",
            paramLabel = "BYTES",
            converter = GoValues.Int.class,
            description =
                    "The broker's --max-msg-size: the longest record taken as intact (default: ${DEFAULT-VALUE}).")
    private int maxMsgSize;

    private long lastProgress;

    @Override
    public Integer call() {
        if (maxMsgSize <= 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--max-msg-size must be positive, not " + maxMsgSize);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        lastProgress = System.nanoTime();
        DataChecks.Report report = repair
                ? DataChecks.repair(dataPath, maxMsgSize, p -> progress(err, p))
                : DataChecks.check(dataPath, maxMsgSize, p -> progress(err, p));
        for (DataChecks.Finding f : report.findings()) {
            out.printf(
                    "%s %s %s: %s%n",
                    f.damaged() ? "DAMAGED" : f.damagedStretches() > 0 ? "QUARANTINED" : "TORN",
                    f.kind(),
                    dataPath.relativize(f.file()),
                    f.detail());
        }
        long damaged =
                report.findings().stream().filter(DataChecks.Finding::damaged).count();
        long quarantined = report.findings().stream()
                .filter(f -> !f.damaged() && f.damagedStretches() > 0)
                .count();
        long torn = report.findings().stream().filter(f -> f.tornBytes() > 0).count();
        out.printf(
                "%s %d files (%s) in %s: %d damaged, %d with damage already quarantined, %d with a torn tail%n",
                repair ? "repaired; checked again" : "checked",
                report.files(),
                size(report.bytes()),
                dataPath,
                damaged,
                quarantined,
                torn);
        if (quarantined > 0) {
            out.println("Quarantined damage stays in its file (the broker skips it when reading); its bytes are"
                    + " also in the *.damaged-at-* file next to it.");
        }
        out.flush();
        return !repair && report.damaged() ? Ferry.EXIT_FAILURE : 0;
    }

    private void progress(PrintWriter err, DataChecks.Progress p) {
        long now = System.nanoTime();
        if (p.filesDone() == p.filesTotal() || now - lastProgress < PROGRESS_EVERY) {
            return;
        }
        lastProgress = now;
        err.printf(
                "checked %d of %d files (%s of %s)%n",
                p.filesDone(), p.filesTotal(), size(p.bytesDone()), size(p.bytesTotal()));
        err.flush();
    }

    private static String size(long bytes) {
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format("%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
