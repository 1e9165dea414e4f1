package dev.ferry.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.FerryException;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.StorageException;
import dev.ferry.spi.QueueStateStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded engine's {@link QueueStateStore}: queue states in a map, each durable queue's ttl
 * and metadata also in a small file {@code queues/q-NAME.json} (written to a temporary file,
 * synced, then renamed), so they survive a restart. The file carries its own format number; a
 * data directory from before queues existed simply has no {@code queues/} directory.
 *
 * <p>Thread-safe: one monitor guards the map, the files and the deletion of expired queues'
 * topics, so a queue that expires cannot delete the topic of a queue attached again meanwhile.
 * {@link #sweep()} runs on an engine thread; the other methods on callers' threads.
 */
final class LocalQueueStates implements QueueStateStore {
    private static final Logger log = LoggerFactory.getLogger(LocalQueueStates.class);
    static final String DIR = "queues";
    static final int FORMAT = 1;
    private static final long NO_LEASE = Long.MAX_VALUE;

    private final Clock clock;
    private final Path dir;
    private final Consumer<String> deleteTopic;
    private final Map<String, Entry> queues = new HashMap<>();
    private boolean closed;

    /**
     * The mapper, made on first use: most data directories hold no queue file, and making Jackson's
     * first mapper costs a start tens of milliseconds of CPU.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** One queue; {@code idleSince} is meaningful only while it has no attachment. */
    private static final class Entry {
        long ttlMillis;
        final Map<String, String> metadata = new HashMap<>();
        final Map<String, Long> attachments = new HashMap<>(); // id -> lease end (millis) or NO_LEASE
        long idleSince;
    }

    /**
     * @param root the data directory, or null for memory only
     * @param deleteTopic deletes a topic if it exists (called under this store's monitor)
     */
    LocalQueueStates(Clock clock, Path root, Consumer<String> deleteTopic) {
        this.clock = clock;
        this.dir = root == null ? null : root.resolve(DIR);
        this.deleteTopic = deleteTopic;
    }

    /** Reads the queues' files; every queue counts as detached from now. */
    synchronized void recover() throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        long now = clock.millis();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        for (Path file : files) {
            String fileName = file.getFileName().toString();
            if (fileName.endsWith(".tmp")) {
                Files.deleteIfExists(file); // a write that did not reach its rename
                continue;
            }
            if (!fileName.startsWith("q-") || !fileName.endsWith(".json")) {
                continue;
            }
            String name = fileName.substring(2, fileName.length() - ".json".length());
            if (!Names.isValid(name)) {
                continue;
            }
            JsonNode json;
            try {
                json = Json.MAPPER.readTree(file.toFile());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                quarantine(file, "is not valid JSON (" + e.getOriginalMessage() + ")");
                continue;
            } catch (IOException e) {
                throw new StorageException("cannot read queue state file " + file + ": " + e.getMessage(), e);
            }
            if (!json.path("format").canConvertToInt()) {
                quarantine(file, "names no format");
                continue;
            }
            int format = json.path("format").asInt();
            if (format != FORMAT) {
                throw new StorageException("queue state file " + file + " has format " + format
                        + "; this Ferry reads format " + FORMAT + " only");
            }
            Entry e = new Entry();
            e.ttlMillis = Math.max(1, json.path("ttl_ms").asLong(30_000));
            json.path("metadata")
                    .properties()
                    .forEach(m -> e.metadata.put(m.getKey(), m.getValue().asText()));
            e.idleSince = now;
            queues.put(name, e);
        }
    }

    /**
     * Moves a damaged state file aside into {@link Quarantine}'s name (never deleting its bytes), so
     * that the queue counts as unknown and the engine starts; its messages stay in its topic.
     */
    private static void quarantine(Path file, String why) throws IOException {
        Path aside = Quarantine.fileFor(file, 0);
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        log.error(
                "queue state file {} {}: the queue's attachments, TTL and metadata are lost (its messages are"
                        + " kept); the damaged file is kept as {}",
                file,
                why,
                aside.getFileName());
    }

    /** Refuses every later call: the engine is closed. */
    synchronized void close() {
        closed = true;
    }

    /** The live entry of {@code queue}, after dropping lapsed leases and deleting it if expired. */
    private Entry live(String queue, long now) {
        if (closed) {
            throw new FerryException("the engine is closed");
        }
        Entry e = queues.get(queue);
        if (e == null) {
            return null;
        }
        if (expire(queue, e, now)) {
            return null;
        }
        return e;
    }

    /** Drops lapsed leases; deletes the queue when it has been idle past its ttl. */
    private boolean expire(String queue, Entry e, long now) {
        if (!e.attachments.isEmpty()) {
            long lapsed = Long.MIN_VALUE;
            for (Iterator<Long> it = e.attachments.values().iterator(); it.hasNext(); ) {
                long end = it.next();
                if (end <= now) {
                    lapsed = Math.max(lapsed, end);
                    it.remove();
                }
            }
            if (!e.attachments.isEmpty()) {
                return false;
            }
            e.idleSince = lapsed;
        }
        if (now - e.idleSince < e.ttlMillis) {
            return false;
        }
        log.debug("queue {} expired: no attachment for {} ms", queue, e.ttlMillis);
        remove(queue);
        return true;
    }

    private void remove(String queue) {
        queues.remove(queue);
        deleteFile(queue);
        deleteTopic.accept(queue);
    }

    @Override
    public synchronized boolean attach(String queue, String attachment, Duration ttl, Duration lease) {
        Objects.requireNonNull(attachment, "attachment");
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("queue ttl must be at least 1 ms, got " + ttl);
        }
        if (lease.isNegative()) {
            throw new IllegalArgumentException("attachment lease must not be negative, got " + lease);
        }
        long now = clock.millis();
        Entry e = live(queue, now);
        boolean existed = e != null;
        if (e == null) {
            e = new Entry();
            queues.put(queue, e);
        }
        boolean changed = !existed || e.ttlMillis != ttl.toMillis();
        e.ttlMillis = ttl.toMillis();
        e.attachments.put(attachment, lease.isZero() ? NO_LEASE : now + lease.toMillis());
        if (changed) {
            write(queue, e);
        }
        return existed;
    }

    @Override
    public synchronized boolean detach(String queue, String attachment) {
        long now = clock.millis();
        Entry e = live(queue, now);
        if (e == null || e.attachments.remove(attachment) == null) {
            return false;
        }
        if (e.attachments.isEmpty()) {
            e.idleSince = now;
        }
        return true;
    }

    @Override
    public synchronized Optional<QueueState> state(String queue) {
        Entry e = live(queue, clock.millis());
        if (e == null) {
            return Optional.empty();
        }
        return Optional.of(
                new QueueState(queue, Duration.ofMillis(e.ttlMillis), e.attachments.size(), Map.copyOf(e.metadata)));
    }

    @Override
    public synchronized void setMetadata(String queue, String key, String value) {
        Objects.requireNonNull(key, "key");
        Entry e = live(queue, clock.millis());
        if (e == null) {
            throw new NotFoundException("queue '" + queue + "' does not exist (never attached, expired or destroyed)");
        }
        if (value == null) {
            e.metadata.remove(key);
        } else {
            e.metadata.put(key, value);
        }
        write(queue, e);
    }

    @Override
    public synchronized boolean destroy(String queue) {
        boolean existed = live(queue, clock.millis()) != null;
        remove(queue);
        return existed;
    }

    /** Deletes the queues that have expired; runs periodically on an engine thread. */
    synchronized void sweep() {
        if (closed) {
            return;
        }
        long now = clock.millis();
        for (String queue : new ArrayList<>(queues.keySet())) {
            try {
                expire(queue, queues.get(queue), now);
            } catch (RuntimeException ex) {
                log.error("queue {}: expiring it failed", queue, ex);
            }
        }
    }

    // ---- files ----------------------------------------------------------------------------------

    private Path file(String queue) {
        return dir.resolve("q-" + queue + ".json");
    }

    private void write(String queue, Entry e) {
        if (dir == null || Names.isEphemeral(queue)) {
            return;
        }
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("format", FORMAT);
        json.put("ttl_ms", e.ttlMillis);
        ObjectNode metadata = json.putObject("metadata");
        e.metadata.forEach(metadata::put);
        Path target = file(queue);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.write(tmp, Json.MAPPER.writeValueAsBytes(json));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ex) {
            throw new StorageException("cannot write the state of queue '" + queue + "' to " + target + ": " + ex, ex);
        }
    }

    private void deleteFile(String queue) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(file(queue));
        } catch (IOException ex) {
            throw new StorageException("cannot delete the state file of queue '" + queue + "': " + ex, ex);
        }
    }
}
