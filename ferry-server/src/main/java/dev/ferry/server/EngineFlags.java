package dev.ferry.server;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.EngineProvider;
import dev.ferry.spi.EngineUri;
import dev.ferry.spi.Engines;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns {@code ferry server}'s engine flags into the engine's URI: {@code --engine} (by default the
 * {@code file:} URI of {@code --data-path}) plus, as parameters, the storage flags given on the command
 * line or in the option file ({@code --sync}, {@code --segment-bytes}, ...; nsqd's and Ferry's flags keep
 * working). A storage flag whose setting the URI also gives with another value, one the engine does not
 * take, and a {@code --data-path} other than a {@code file:} engine's directory are usage errors naming
 * the flag and {@code --engine}. Stateless.
 */
final class EngineFlags {
    /** A storage flag and the engine parameter it sets. */
    private record Setting(String flag, String parameter, String value) {}

    private EngineFlags() {}

    /** The storage flags' values as parameters, in the order of the flags. */
    private static List<Setting> settings(ServerFlags f) {
        return List.of(
                new Setting("--sync", EmbeddedEngineConfig.SYNC, EngineUri.valueName(f.sync)),
                new Setting("--sync-interval", EmbeddedEngineConfig.SYNC_INTERVAL, GoDuration.format(f.syncInterval)),
                new Setting("--retention-bytes", EmbeddedEngineConfig.RETENTION_BYTES, Long.toString(f.retentionBytes)),
                new Setting("--retention-age", EmbeddedEngineConfig.RETENTION_AGE, GoDuration.format(f.retentionAge)),
                new Setting(
                        "--channel-max-depth",
                        EmbeddedEngineConfig.CHANNEL_MAX_DEPTH,
                        Long.toString(f.channelMaxDepth)),
                new Setting("--depth-policy", EmbeddedEngineConfig.DEPTH_POLICY, EngineUri.valueName(f.depthPolicy)),
                new Setting("--max-data-bytes", EmbeddedEngineConfig.MAX_DATA_BYTES, Long.toString(f.maxDataBytes)),
                new Setting(
                        "--min-free-disk-bytes",
                        EmbeddedEngineConfig.MIN_FREE_DISK_BYTES,
                        Long.toString(f.minFreeDiskBytes)),
                new Setting("--segment-bytes", EmbeddedEngineConfig.SEGMENT_BYTES, Integer.toString(f.segmentBytes)),
                // nsqd's 0 keeps nothing in memory; Ferry stores durable topics on disk anyway, and an
                // ephemeral one needs room for one message
                new Setting(
                        "--mem-queue-size",
                        EmbeddedEngineConfig.MEM_QUEUE_SIZE,
                        Integer.toString(Math.max(1, f.memQueueSize))));
    }

    /**
     * The engine's URI, or the file: URI of {@code dataPath} with the problems added to {@code problems}
     * when there are any.
     *
     * @param given the long names of the flags given
     */
    static EngineUri engine(ServerFlags f, Set<String> given, Path dataPath, ServerSettings.Problems problems) {
        EngineUri fallback = new EngineUri("file", EmbeddedEngineConfig.fileLocation(dataPath), Map.of());
        EngineUri base;
        EngineProvider provider;
        try {
            base = f.engine == null ? fallback : EngineUri.parse(f.engine);
            provider = Engines.provider(base.scheme());
        } catch (IllegalArgumentException e) {
            problems.check(false, "--engine: " + e.getMessage());
            return fallback;
        }
        String named = "--engine " + base.withoutParameters();
        if (f.engine != null && base.scheme().equals("file") && given.contains("--data-path")) {
            try {
                Path dir = EmbeddedEngineConfig.parse(base.withoutParameters())
                        .dataDir()
                        .orElseThrow();
                problems.check(
                        same(dir, dataPath),
                        "--data-path " + dataPath + " contradicts " + named + " (directory " + dir
                                + "); give the directory once");
            } catch (IllegalArgumentException e) {
                problems.check(false, "--engine: " + e.getMessage());
                return fallback;
            }
        }
        Set<String> known = provider.parameters(base.scheme());
        Map<String, String> added = new LinkedHashMap<>();
        for (Setting s : settings(f)) {
            if (!given.contains(s.flag())) {
                continue;
            }
            if (!known.contains(s.parameter())) {
                problems.check(
                        false,
                        s.flag() + " does not apply to " + named + " (it takes "
                                + (known.isEmpty() ? "no parameters" : String.join(", ", new TreeSet<>(known)))
                                + ")");
                continue;
            }
            String inUri = base.parameters().get(s.parameter());
            if (inUri == null) {
                added.put(s.parameter(), s.value());
            } else {
                problems.check(
                        sameSetting(base, s.parameter(), inUri, s.value()),
                        s.flag() + "=" + s.value() + " contradicts --engine " + base + " (" + s.parameter() + "="
                                + inUri + "); give it once");
            }
        }
        if (given.contains("--max-msg-size") && known.contains(EmbeddedEngineConfig.MAX_MESSAGE_BYTES)) {
            String inUri = base.parameters().get(EmbeddedEngineConfig.MAX_MESSAGE_BYTES);
            if (inUri == null) {
                // the engine must store every body the protocol accepts
                added.put(EmbeddedEngineConfig.MAX_MESSAGE_BYTES, Integer.toString(f.maxMsgSize));
            } else {
                try {
                    long bound =
                            base.bytes(EmbeddedEngineConfig.MAX_MESSAGE_BYTES).orElseThrow();
                    problems.check(
                            bound >= f.maxMsgSize,
                            "--max-msg-size " + f.maxMsgSize + " is over --engine's "
                                    + EmbeddedEngineConfig.MAX_MESSAGE_BYTES + "=" + inUri
                                    + "; the engine would refuse what the protocol accepts");
                } catch (IllegalArgumentException e) {
                    problems.check(false, "--engine: " + e.getMessage());
                }
            }
        }
        EngineUri engine = base.with(added);
        try {
            Engines.check(engine);
            if (engine.scheme().equals("file") || engine.scheme().equals("memory")) {
                EmbeddedEngineConfig.parse(engine);
            }
        } catch (IllegalArgumentException e) {
            problems.check(false, (f.engine == null ? "storage settings: " : "--engine: ") + e.getMessage());
            return fallback;
        }
        return engine;
    }

    private static boolean same(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** Whether two values of one parameter mean the same: compared as read by the embedded engine. */
    private static boolean sameSetting(EngineUri base, String parameter, String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        if (!base.scheme().equals("file") && !base.scheme().equals("memory")) {
            return false;
        }
        try {
            EngineUri bare = base.withoutParameters();
            return EmbeddedEngineConfig.parse(bare.with(Map.of(parameter, a)))
                    .uri()
                    .equals(EmbeddedEngineConfig.parse(bare.with(Map.of(parameter, b)))
                            .uri());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
