package dev.ferry.internal.engine;

import dev.ferry.DeadLetter;
import dev.ferry.InvalidNameException;
import dev.ferry.Names;
import dev.ferry.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where topics and channels keep their files, and how their storage is opened. Layout under the
 * data directory:
 *
 * <pre>
 * topics/t-NAME/              segments of the topic log, plus "paused" and "hold" files
 * topics/t-NAME/c-CHANNEL/    snapshot, journal-N.log, retry/BUCKET.bkt, "paused", "dead-letter"
 * </pre>
 *
 * Names get a prefix so that NSQ-valid names such as ".." are safe as directory names. Without a
 * data directory, and for ephemeral names, everything lives in memory.
 */
final class Storage {
    private static final Logger log = LoggerFactory.getLogger(Storage.class);
    private static final String PAUSED = "paused";
    private static final String HOLD = "hold";
    private static final String DEAD_LETTER = "dead-letter";
    /** The first line of a channel's dead-letter file: its own format version. */
    private static final String DEAD_LETTER_HEADER = "ferry-dead-letter 1";

    private final LocalEngine engine;
    private final Path topicsDir;
    private final FileIo io;

    Storage(LocalEngine engine, Path root, FileIo io) {
        this.engine = engine;
        this.topicsDir = root == null ? null : root.resolve("topics");
        this.io = io;
    }

    boolean inMemory() {
        return topicsDir == null;
    }

    private Path topicDir(String topic) {
        return topicsDir.resolve("t-" + topic);
    }

    private Path channelDir(String topic, String channel) {
        return topicDir(topic).resolve("c-" + channel);
    }

    private int maxPayload() {
        return engine.config().maxMessageBytes() + RecordCodec.FIXED;
    }

    /** Names of the durable topics on disk. */
    List<String> topicsOnDisk() throws IOException {
        return names(topicsDir, "t-");
    }

    private static List<String> names(Path dir, String prefix) throws IOException {
        List<String> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && Names.isValid(n.substring(prefix.length())))
                    .sorted()
                    .forEach(n -> out.add(n.substring(prefix.length())));
        }
        return out;
    }

    /** Opens a topic, recovering its log and channels when it is on disk. */
    TopicState openTopic(String name, int shard, boolean recover) throws IOException {
        boolean ephemeral = Names.isEphemeral(name);
        boolean memoryOnly = inMemory() || ephemeral;
        if (memoryOnly) {
            return new TopicState(engine, name, true, ephemeral, shard, new MemoryLog());
        }
        Path dir = topicDir(name);
        SegmentedLog log = SegmentedLog.open(
                name,
                dir,
                io,
                engine.config().segmentBytes(),
                maxPayload(),
                engine.config().syncPolicy() != dev.ferry.SyncPolicy.NEVER,
                engine.tailCache());
        TopicState topic = new TopicState(engine, name, false, false, shard, log);
        engine.sync().add(SyncService.LOG, log);
        if (recover) {
            long holdOffset = log.startOffset();
            long holdSeq = log.startSeq();
            Path hold = dir.resolve(HOLD);
            if (Files.exists(hold)) {
                ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(hold));
                if (b.remaining() >= 16) {
                    holdOffset = b.getLong();
                    holdSeq = b.getLong();
                    topic.dropped().readFrom(b);
                }
            }
            topic.restore(Files.exists(dir.resolve(PAUSED)), holdOffset, holdSeq, log.lastId());
            long now = engine.clock().millis();
            log.forEachCached(r -> {
                if (r.dueAt() > now) {
                    topic.restoreDeferred(r.seq(), r.dueAt());
                }
            });
            for (String channel : names(dir, "c-")) {
                topic.addRecovered(openChannel(topic, channel, -1, -1));
            }
        }
        return topic;
    }

    /** Creates a channel whose cursor starts at {@code offset}/{@code seq}. */
    ChannelState createChannel(TopicState topic, String channel, long offset, long seq) throws IOException {
        return openChannel(topic, channel, offset, seq);
    }

    private ChannelState openChannel(TopicState topic, String channel, long offset, long seq) throws IOException {
        boolean ephemeral = Names.isEphemeral(channel);
        if (topic.memoryOnly || ephemeral) {
            ChannelState ch = new ChannelState(
                    topic,
                    channel,
                    ephemeral,
                    null,
                    io,
                    ChannelJournal.NONE,
                    new MemoryRetryStore(),
                    0,
                    new DamageCounts());
            ch.setCursor(offset, seq);
            return ch;
        }
        Path dir = channelDir(topic.name, channel);
        Files.createDirectories(dir);
        long generation = 0;
        for (Path file : FileJournal.files(dir)) {
            generation = Math.max(generation, FileJournal.generationOf(file));
        }
        FileJournal journal = FileJournal.create(dir, io, generation + 1);
        DamageCounts damage = new DamageCounts();
        FileRetryStore retry = new FileRetryStore(dir.resolve("retry"), io, maxPayload(), damage);
        ChannelState ch = new ChannelState(topic, channel, false, dir, io, journal, retry, generation + 1, damage);
        if (offset >= 0) {
            ch.setCursor(offset, seq);
            ch.snapshot();
        } else {
            ch.setPaused(Files.exists(dir.resolve(PAUSED)));
            DeadLetter policy = readDeadLetter(dir.resolve(DEAD_LETTER));
            ch.setDeadLetter(policy, policy.enabled() ? policy.topicFor(topic.name) : null);
            ch.recover(engine.clock().millis());
        }
        engine.sync().add(SyncService.RETRY, retry);
        engine.sync().add(SyncService.JOURNAL, journal);
        return ch;
    }

    void deleteChannel(TopicState topic, ChannelState ch) throws IOException {
        closeChannel(ch);
        if (ch.journal() != ChannelJournal.NONE) {
            deleteTree(channelDir(topic.name, ch.name));
        }
    }

    void closeChannel(ChannelState ch) {
        try {
            ch.awaitSnapshotWritten();
        } catch (IOException e) {
            log.warn("channel {}: a snapshot being written before it closed failed: {}", ch.name, e.toString());
        }
        engine.sync().remove(SyncService.RETRY, ch.retry());
        engine.sync().remove(SyncService.JOURNAL, ch.journal());
        ch.journal().close();
        ch.retry().close();
    }

    void deleteTopic(TopicState topic) throws IOException {
        for (ChannelState ch : topic.channels()) {
            closeChannel(ch);
        }
        topic.log().delete();
        if (!topic.memoryOnly) {
            deleteTree(topicDir(topic.name));
        }
    }

    void writeHold(TopicState topic) throws IOException {
        if (topic.memoryOnly) {
            return;
        }
        Path dir = topicDir(topic.name);
        Path tmp = dir.resolve(HOLD + ".tmp");
        DroppedStretches dropped = topic.dropped();
        ByteBuffer b = ByteBuffer.allocate(16 + dropped.bytes())
                .putLong(topic.holdOffset())
                .putLong(topic.holdSeq());
        dropped.writeTo(b);
        Files.write(tmp, b.array());
        // synced before the rename: a paused topic's held messages must be found after a machine crash
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, dir.resolve(HOLD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    void writePaused(TopicState topic, String channel, boolean paused) throws IOException {
        if (topic.memoryOnly || (channel != null && Names.isEphemeral(channel))) {
            return;
        }
        Path dir = channel == null ? topicDir(topic.name) : channelDir(topic.name, channel);
        Path marker = dir.resolve(PAUSED);
        if (paused) {
            Files.write(marker, new byte[0]);
        } else {
            Files.deleteIfExists(marker);
        }
    }

    /**
     * Keeps a durable channel's dead-letter policy in its {@code dead-letter} file (removed for
     * {@link DeadLetter#NONE}): a version line, then {@code max_attempts=N} and, when explicit,
     * {@code topic=NAME}. Written to a temporary file, synced and renamed into place.
     */
    void writeDeadLetter(TopicState topic, ChannelState ch, DeadLetter policy) throws IOException {
        if (topic.memoryOnly || ch.ephemeral) {
            return;
        }
        Path dir = channelDir(topic.name, ch.name);
        Path file = dir.resolve(DEAD_LETTER);
        if (!policy.enabled()) {
            Files.deleteIfExists(file);
            return;
        }
        StringBuilder text = new StringBuilder(DEAD_LETTER_HEADER)
                .append('\n')
                .append("max_attempts=")
                .append(policy.maxAttempts())
                .append('\n');
        if (policy.topic() != null) {
            text.append("topic=").append(policy.topic()).append('\n');
        }
        Path tmp = dir.resolve(DEAD_LETTER + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a channel's dead-letter file; {@link DeadLetter#NONE} when there is none. */
    static DeadLetter readDeadLetter(Path file) throws IOException {
        if (!Files.exists(file)) {
            return DeadLetter.NONE;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(DEAD_LETTER_HEADER)) {
            throw new StorageException(file + " starts with '" + (lines.isEmpty() ? "" : lines.get(0))
                    + "'; this Ferry reads '" + DEAD_LETTER_HEADER + "' only");
        }
        int maxAttempts = 0;
        String deadTopic = null;
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq);
            String value = eq < 0 ? "" : line.substring(eq + 1);
            try {
                switch (key) {
                    case "max_attempts" -> maxAttempts = Integer.parseInt(value);
                    case "topic" -> deadTopic = value;
                    default -> throw new IllegalArgumentException("unknown setting '" + key + "'");
                }
            } catch (IllegalArgumentException e) {
                throw new StorageException(file + ": cannot read line '" + line + "': " + e.getMessage(), e);
            }
        }
        try {
            return new DeadLetter(maxAttempts, deadTopic);
        } catch (IllegalArgumentException | InvalidNameException e) {
            throw new StorageException(file + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
