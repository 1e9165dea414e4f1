package dev.ferry.internal.engine;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.StorageException;
import dev.ferry.support.DataChecks.Finding;
import dev.ferry.support.DataChecks.Progress;
import dev.ferry.support.DataChecks.Report;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The engine's side of {@code ferry check}: reads every data file of a stopped engine with the same
 * scans recovery uses ({@link LogSegment#scan}, {@link FileJournal#scan}, {@link
 * FileRetryStore#scan}, {@link Snapshot#readFile}) without changing anything, and repairs by
 * quarantining what it found and running the engine's recovery once.
 *
 * <p>Threading: runs on the caller's thread; holds the directory's lock while it reads, so a broker
 * cannot start meanwhile (and a running one makes the check refuse).
 */
public final class DataCheck {
    private DataCheck() {}

    /** Checks {@code root}; see {@link dev.ferry.support.DataChecks#check}. */
    public static Report check(Path root, int maxMessageBytes, Consumer<Progress> progress) {
        try (DataDirectory.Locked lock = lock(root)) {
            return new Reader(root, maxMessageBytes + RecordCodec.FIXED, progress, false).run();
        } catch (IOException e) {
            throw new StorageException("cannot check data directory " + root.toAbsolutePath() + ": " + e, e);
        }
    }

    /** Repairs {@code root}; see {@link dev.ferry.support.DataChecks#repair}. */
    public static Report repair(Path root, int maxMessageBytes, Consumer<Progress> progress) {
        try (DataDirectory.Locked lock = lock(root)) {
            new Reader(root, maxMessageBytes + RecordCodec.FIXED, progress, true).run();
        } catch (IOException e) {
            throw new StorageException("cannot repair data directory " + root.toAbsolutePath() + ": " + e, e);
        }
        // recovery does the rest: cuts torn tails, replaces damaged snapshots, writes fresh ones
        LocalEngine.open(EmbeddedEngineConfig.file(root)
                        .maxMessageBytes(maxMessageBytes)
                        .minFreeDiskBytes(0)
                        .build())
                .close();
        return check(root, maxMessageBytes, p -> {});
    }

    /** Takes the directory's lock (the one a running engine holds), refusing when it is held. */
    private static DataDirectory.Locked lock(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new StorageException("no data directory at " + root.toAbsolutePath());
        }
        Path format = root.resolve(DataDirectory.FORMAT_FILE);
        if (!Files.exists(format)) {
            throw new StorageException(root.toAbsolutePath() + " is not a Ferry data directory (it has no "
                    + DataDirectory.FORMAT_FILE + " file)");
        }
        String text = Files.readString(format, StandardCharsets.UTF_8).trim();
        if (!text.equals("ferry-data " + DataDirectory.FORMAT_VERSION)) {
            throw new StorageException("data directory " + root.toAbsolutePath() + " has format '" + text
                    + "'; this Ferry reads 'ferry-data " + DataDirectory.FORMAT_VERSION + "' only");
        }
        return DataDirectory.lock(root, "stop it before checking its files");
    }

    /** One pass over the directory. */
    private static final class Reader {
        private final Path root;
        private final int maxPayload;
        private final Consumer<Progress> progress;
        private final boolean quarantine;
        private final List<Finding> findings = new ArrayList<>();
        private long filesTotal;
        private long bytesTotal;
        private long filesDone;
        private long bytesDone;

        Reader(Path root, int maxPayload, Consumer<Progress> progress, boolean quarantine) {
            this.root = root;
            this.maxPayload = maxPayload;
            this.progress = progress;
            this.quarantine = quarantine;
        }

        Report run() throws IOException {
            List<Path> files = dataFiles();
            filesTotal = files.size();
            for (Path f : files) {
                bytesTotal += Files.size(f);
            }
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(LogSegment.SUFFIX)) {
                    segment(f, isNewestSegment(f, files));
                } else if (name.endsWith(".bkt")) {
                    bucket(f);
                } else if (name.equals(Snapshot.FILE) || name.equals(Snapshot.PREVIOUS)) {
                    snapshot(f);
                } else {
                    journal(f);
                }
                filesDone++;
                bytesDone += Files.size(f);
                progress.accept(new Progress(filesDone, filesTotal, bytesDone, bytesTotal));
            }
            return new Report(filesDone, bytesDone, findings);
        }

        private static boolean isNewestSegment(Path f, List<Path> files) {
            return files.stream()
                    .filter(p -> p.getParent().equals(f.getParent())
                            && p.getFileName().toString().endsWith(LogSegment.SUFFIX))
                    .reduce((a, b) -> b)
                    .orElseThrow()
                    .equals(f);
        }

        private List<Path> dataFiles() throws IOException {
            Path topics = root.resolve("topics");
            if (!Files.isDirectory(topics)) {
                return List.of();
            }
            try (Stream<Path> walk = Files.walk(topics)) {
                return walk.filter(Files::isRegularFile)
                        .filter(p -> {
                            String n = p.getFileName().toString();
                            return n.endsWith(LogSegment.SUFFIX)
                                    || n.endsWith(".bkt")
                                    || n.equals(Snapshot.FILE)
                                    || n.equals(Snapshot.PREVIOUS)
                                    || (n.startsWith("journal-") && n.endsWith(".log"));
                        })
                        .sorted()
                        .toList();
            }
        }

        private void segment(Path f, boolean newest) throws IOException {
            long size = Files.size(f);
            if (size < LogSegment.HEADER) {
                findings.add(new Finding(
                        f,
                        "segment",
                        newest ? 0 : 1,
                        0,
                        0,
                        0,
                        newest ? 0 : size,
                        newest ? size : 0,
                        "header incomplete"));
                return;
            }
            String topic = f.getParent().getFileName().toString().substring(2);
            LogSegment s;
            try {
                s = LogSegment.open(topic, f, FileIo.DEFAULT, size, false, maxPayload, () -> 0);
            } catch (StorageException e) {
                findings.add(new Finding(f, "segment", 1, 0, 0, 0, size, 0, e.getMessage()));
                return;
            }
            try {
                if (s.damagedHeader() != null) {
                    if (quarantine) {
                        Quarantine.save(f, 0, s.damagedHeader());
                    }
                    findings.add(new Finding(
                            f,
                            "segment",
                            1,
                            quarantined(f, 0, LogSegment.HEADER),
                            0,
                            0,
                            LogSegment.HEADER,
                            0,
                            "header damaged: recovery rebuilds it from the file's name and its first intact record"));
                }
                long[] records = {0};
                LogSegment.Scan scan = s.scan(maxPayload, r -> records[0]++);
                long lost = 0;
                long kept = 0;
                long bytes = 0;
                long saved = 0;
                for (LogSegment.Damage d : scan.damages()) {
                    lost += d.lost();
                    kept += d.kept();
                    bytes += d.length();
                    if (quarantine) {
                        Quarantine.save(f, d.at(), s.channel.map(FileChannel.MapMode.READ_ONLY, d.at(), d.length()));
                    }
                    saved += quarantined(f, d.at(), d.length());
                }
                long stretches = scan.damages().size();
                long torn = scan.tornBytes();
                if (!newest && torn > 0) {
                    // only the newest segment is appended to: a bad end of an older one is damage
                    stretches++;
                    bytes += torn;
                    lost++;
                    if (quarantine) {
                        Quarantine.save(
                                f, scan.endPos(), s.channel.map(FileChannel.MapMode.READ_ONLY, scan.endPos(), torn));
                    }
                    saved += quarantined(f, scan.endPos(), torn);
                    torn = 0;
                }
                if (stretches > 0 || torn > 0) {
                    findings.add(new Finding(
                            f,
                            "segment",
                            stretches,
                            saved,
                            lost,
                            kept,
                            bytes,
                            torn,
                            describe(stretches, lost, kept, bytes, torn, records[0], "record")));
                }
            } finally {
                s.channel.close();
            }
        }

        private void journal(Path f) throws IOException {
            long[] records = {0};
            FileJournal.Scan scan = FileJournal.scan(f, new CountingVisitor(records));
            long bytes = scan.damages().stream()
                    .mapToLong(FileJournal.Damage::length)
                    .sum();
            if (quarantine) {
                ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(f));
                for (FileJournal.Damage d : scan.damages()) {
                    Quarantine.save(f, d.at(), data.slice((int) d.at(), (int) d.length()));
                }
            }
            long stretches = scan.damages().size();
            long saved = 0;
            for (FileJournal.Damage d : scan.damages()) {
                saved += quarantined(f, d.at(), d.length());
            }
            if (stretches > 0 || scan.tornBytes() > 0) {
                findings.add(new Finding(
                        f,
                        "journal",
                        stretches,
                        saved,
                        stretches,
                        0,
                        bytes,
                        scan.tornBytes(),
                        describe(stretches, stretches, 0, bytes, scan.tornBytes(), records[0], "state change")));
            }
        }

        private void bucket(Path f) throws IOException {
            ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(f));
            long[] records = {0};
            FileRetryStore.Scan scan = FileRetryStore.scan(data, maxPayload, r -> records[0]++);
            long bytes = 0;
            long kept = 0;
            long saved = 0;
            for (int[] d : scan.damages()) {
                bytes += d[1];
                kept += scan.keptAfter(d[0]);
                if (quarantine) {
                    Quarantine.save(f, d[0], data.slice(d[0], d[1]));
                }
                saved += quarantined(f, d[0], d[1]);
            }
            long stretches = scan.damages().size();
            long torn = data.limit() - scan.end();
            if (stretches > 0 || torn > 0) {
                findings.add(new Finding(
                        f,
                        "retry bucket",
                        stretches,
                        saved,
                        stretches,
                        kept,
                        bytes,
                        torn,
                        describe(stretches, stretches, kept, bytes, torn, records[0], "message copy")));
            }
        }

        private void snapshot(Path f) throws IOException {
            try {
                Snapshot.readFile(f);
            } catch (IOException e) {
                long size = Files.size(f);
                if (quarantine) {
                    Quarantine.save(f, 0, ByteBuffer.wrap(Files.readAllBytes(f)));
                }
                boolean current = f.getFileName().toString().equals(Snapshot.FILE);
                String why = e.getMessage() == null || e instanceof java.io.EOFException ? "cut short" : e.getMessage();
                findings.add(new Finding(
                        f,
                        "snapshot",
                        1,
                        quarantined(f, 0, size),
                        0,
                        0,
                        size,
                        0,
                        "cannot be read (" + why + "); recovery "
                                + (current
                                        ? "falls back to the previous snapshot and the journals since it"
                                        : "has no fallback if the newest snapshot is damaged too")));
            }
        }

        /** 1 when the stretch at {@code at} of {@code f} already has its quarantine copy, else 0. */
        private static long quarantined(Path f, long at, long length) throws IOException {
            Path copy = Quarantine.fileFor(f, at);
            return Files.exists(copy) && Files.size(copy) == length ? 1 : 0;
        }

        private static String describe(
                long stretches, long lost, long kept, long bytes, long torn, long intact, String what) {
            StringBuilder out = new StringBuilder();
            out.append(intact).append(" intact ").append(what).append("s");
            if (stretches > 0) {
                out.append("; ")
                        .append(stretches)
                        .append(" damaged stretch(es), ")
                        .append(bytes)
                        .append(" bytes, ")
                        .append(lost)
                        .append(" ")
                        .append(what)
                        .append("(s) lost")
                        .append(what.equals("record") ? "" : " at least")
                        .append(", ")
                        .append(kept)
                        .append(" kept after them");
            }
            if (torn > 0) {
                out.append("; torn tail of ").append(torn).append(" bytes (recovery cuts it off)");
            }
            return out.toString();
        }
    }

    /** Counts a journal's records. */
    private record CountingVisitor(long[] count) implements FileJournal.Visitor {
        @Override
        public void cursor(long offset, long seq) {
            count[0]++;
        }

        @Override
        public void deliver(long key, int attempts) {
            count[0]++;
        }

        @Override
        public void finish(long key) {
            count[0]++;
        }

        @Override
        public void requeue(long key, long dueAt) {
            count[0]++;
        }

        @Override
        public void move(long key, long bucket, long pos, int attempts, long dueAt, long id, long timestamp) {
            count[0]++;
        }

        @Override
        public void loaded(long bucket) {
            count[0]++;
        }

        @Override
        public void emptied() {
            count[0]++;
        }
    }
}
