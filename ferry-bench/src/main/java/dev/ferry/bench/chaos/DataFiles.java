package dev.ferry.bench.chaos;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The embedded engine's data files as docs/STORAGE.md describes them: where each kind lives, and
 * which message bodies the records of a segment or retry bucket overlapping a byte range hold (read
 * from the file before it was damaged), so a row can tell a damaged record's loss from any other.
 */
final class DataFiles {
    /** Bytes before the first record of a segment; retry buckets have none. */
    static final int SEGMENT_HEADER = 32;
    /** Record header (length, CRC32C) and the payload's fixed fields before the body. */
    private static final int RECORD_HEADER = 8;

    private static final int PAYLOAD_FIXED = 1 + 1 + 4 + 8 + 8 + 8 + 8;

    private DataFiles() {}

    /** A kind of data file: how to find one under a data directory, and where its records start (-1: none). */
    enum Kind {
        SEGMENT("segment", ".seg", SEGMENT_HEADER),
        JOURNAL("channel journal", ".log", -1),
        SNAPSHOT("channel snapshot", "snapshot", -1),
        RETRY_BUCKET("retry bucket", ".bkt", 0);

        final String label;
        private final String suffix;
        final int firstRecord;

        Kind(String label, String suffix, int firstRecord) {
            this.label = label;
            this.suffix = suffix;
            this.firstRecord = firstRecord;
        }

        /** The largest file of this kind under {@code data} (not a quarantine copy), or null. */
        Path find(Path data) throws IOException {
            try (Stream<Path> files = Files.walk(data)) {
                return files.filter(Files::isRegularFile)
                        .filter(f -> f.getFileName().toString().endsWith(suffix))
                        .filter(f -> !f.getFileName().toString().contains(".damaged-at-"))
                        .filter(f -> size(f) > 0)
                        .max(java.util.Comparator.comparingLong(DataFiles::size))
                        .orElse(null);
            }
        }
    }

    static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The bodies of the records in {@code bytes} (records from {@code first}) that overlap
     * {@code [from, to)}.
     */
    static Set<String> bodiesOverlapping(byte[] bytes, int first, long from, long to) {
        Set<String> out = new HashSet<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int pos = first;
        while (pos + RECORD_HEADER <= bytes.length) {
            int length = b.getInt(pos);
            int end = pos + RECORD_HEADER + length;
            if (length < PAYLOAD_FIXED || end > bytes.length || end < pos) {
                break;
            }
            if (pos < to && end > from) {
                int body = pos + RECORD_HEADER + PAYLOAD_FIXED;
                out.add(new String(bytes, body, end - body, StandardCharsets.UTF_8));
            }
            pos = end;
        }
        return out;
    }

    /** How many records the file holds (from {@code first}). */
    static int records(byte[] bytes, int first) {
        return bodiesOverlapping(bytes, first, 0, Long.MAX_VALUE).size();
    }
}
