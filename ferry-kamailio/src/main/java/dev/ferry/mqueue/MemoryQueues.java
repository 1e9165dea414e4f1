package dev.ferry.mqueue;

import dev.ferry.FerryException;
import dev.ferry.NotFoundException;
import dev.ferry.StorageException;
import dev.ferry.kamailio.internal.JdbcDatabase;
import dev.ferry.mqueue.internal.MemoryQueue;
import dev.ferry.mqueue.internal.QueueDatabase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Named, in-process queues of key/value items (Kamailio's {@code mqueue} module): producers add,
 * consumers fetch the oldest item, a size limit drops the oldest item when an add goes over it, and
 * a queue may be loaded from an SQL table at start and saved to it at stop.
 *
 * <pre>{@code
 * try (MemoryQueues queues = MemoryQueues.builder()
 *         .define("name=jobs;size=1000")
 *         .define("name=cdrs;dbmode=1")
 *         .database("jdbc:sqlite:data/mqueue.db")
 *         .open()) {
 *     queues.add("jobs", "call-42", "{\"to\":\"alice\"}");
 *     queues.fetch("jobs").ifPresent(item -> work(item.key(), item.value()));
 * }
 * }</pre>
 *
 * <p>Two faces over the same queues: the Java one ({@link #add}, {@link #fetch}, {@link #size}) throws
 * {@link NotFoundException} for a queue that was not defined; the script one ({@link #script()},
 * a {@link Script}) answers with Kamailio's integer codes and keeps the last fetched item per calling
 * thread, as Kamailio keeps it per process in {@code $mqk} and {@code $mqv}.
 *
 * <p>Thread-safe: any number of threads may add and fetch on the same queue; each queue has one lock,
 * held for a few pointer moves. Nothing blocks: a fetch on an empty queue returns at once. The set of
 * queues is fixed when the instance is opened. After {@link #close()} every operation throws {@link
 * FerryException}.
 *
 * <p>Memory: a queue without a size limit grows without bound; give queues fed from outside a limit.
 */
public final class MemoryQueues implements AutoCloseable {
    /** What an {@link #add} did. */
    public enum AddResult {
        /** The item was appended (and, over the limit, the oldest one dropped). */
        ADDED,
        /** The key was present and the queue keeps the existing item ({@code addmode=1}): nothing changed. */
        KEPT_EXISTING,
        /** The item with the same key was removed and the new one appended ({@code addmode=2}). */
        REPLACED
    }

    private final Map<String, MemoryQueue> queues; // in definition order
    private final QueueDatabase database;
    private final ThreadLocal<Map<MemoryQueue, MemoryQueueItem>> fetchedByThread =
            ThreadLocal.withInitial(HashMap::new);
    private final Script script = new Script();
    private final Object closeLock = new Object();
    private boolean closed;

    private MemoryQueues(Map<String, MemoryQueue> queues, QueueDatabase database) {
        this.queues = queues;
        this.database = database;
    }

    /** A builder with no queues and no database. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens queues from definitions in Kamailio's syntax, none of which may use a database.
     *
     * @throws IllegalArgumentException for a bad definition or a name defined twice
     */
    public static MemoryQueues of(String... definitions) {
        Builder b = builder();
        for (String d : definitions) {
            b.define(d);
        }
        return b.open();
    }

    // ---- the Java face ------------------------------------------------------------------------------

    /**
     * Adds an item at the tail of {@code queue}; then, if the queue is over its limit, removes the
     * oldest items. With {@code addmode=1} a key already present makes this a no-op; with {@code
     * addmode=2} the item already there is removed first. Never blocks.
     *
     * @throws NotFoundException when no queue has that name
     */
    public AddResult add(String queue, String key, String value) {
        return queue(queue).add(new MemoryQueueItem(key, value));
    }

    /**
     * Removes and returns the oldest item of {@code queue}, or empty when it holds none. Never blocks.
     * The item belongs to the caller.
     *
     * @throws NotFoundException when no queue has that name
     */
    public Optional<MemoryQueueItem> fetch(String queue) {
        return Optional.ofNullable(queue(queue).fetch());
    }

    /**
     * The number of items in {@code queue} (0 when empty).
     *
     * @throws NotFoundException when no queue has that name
     */
    public int size(String queue) {
        return queue(queue).size();
    }

    /** Whether a queue of that name is defined. */
    public boolean contains(String queue) {
        return queues.containsKey(queue);
    }

    /** The definitions, in the order they were given. */
    public List<MemoryQueueDefinition> definitions() {
        return queues.values().stream().map(MemoryQueue::definition).toList();
    }

    /**
     * The size and counters of {@code queue}.
     *
     * @throws NotFoundException when no queue has that name
     */
    public MemoryQueueStats stats(String queue) {
        return queue(queue).stats();
    }

    /** The size and counters of every queue, in definition order. */
    public List<MemoryQueueStats> stats() {
        return queues.values().stream().map(MemoryQueue::stats).toList();
    }

    // ---- the script face: Kamailio's return codes ---------------------------------------------------

    /**
     * The script face of these queues: Kamailio's functions with their integer codes and a fetched
     * item per calling thread. Cheap to call; every call returns a view of the same queues.
     */
    public Script script() {
        return script;
    }

    /**
     * The script face of {@link MemoryQueues}: the same queues, answered as Kamailio's {@code mqueue}
     * functions answer a script, with integer codes instead of exceptions for an unknown or empty
     * queue, and the last fetched item kept per calling thread, as Kamailio keeps it per process in
     * {@code $mqk} and {@code $mqv}.
     *
     * <pre>{@code
     * MemoryQueues.Script mq = queues.script();
     * if (mq.fetch("jobs") == 1) {                        // mq_fetch("jobs")
     *     MemoryQueueItem item = mq.fetched("jobs").get(); // $mqk(jobs), $mqv(jobs)
     * }
     * }</pre>
     *
     * <p>Thread-safe, as the queues are; the fetched item of one thread is never seen by another.
     * After the queues are closed, {@link #add}, {@link #fetch}, {@link #size} and {@link #sizeValue}
     * of a defined queue throw {@link FerryException}.
     */
    public final class Script {
        private Script() {}

        /**
         * {@code mq_add}: 1 when added (also when {@code addmode=1} kept the existing item), -1 for an
         * unknown queue.
         */
        public int add(String queue, String key, String value) {
            MemoryQueue q = queues.get(queue);
            if (q == null) {
                return -1;
            }
            q.add(new MemoryQueueItem(key, value));
            return 1;
        }

        /**
         * {@code mq_fetch}: takes the oldest item into this thread's fetched slot of the queue (see
         * {@link #fetched}), replacing what was there. Returns 1 when an item was fetched, -2 when the
         * queue is empty (the slot is cleared), -1 for an unknown queue.
         */
        public int fetch(String queue) {
            MemoryQueue q = queues.get(queue);
            if (q == null) {
                return -1;
            }
            MemoryQueueItem item = q.fetch();
            Map<MemoryQueue, MemoryQueueItem> slots = fetchedByThread.get();
            if (item == null) {
                slots.remove(q);
                return -2;
            }
            slots.put(q, item);
            return 1;
        }

        /**
         * The item this thread last fetched from {@code queue} with {@link #fetch} ({@code $mqk} and
         * {@code $mqv}); empty after a failed fetch, after {@link #clearFetched}, or for an unknown
         * queue. Other threads' fetches never change it.
         */
        public Optional<MemoryQueueItem> fetched(String queue) {
            MemoryQueue q = queues.get(queue);
            return q == null
                    ? Optional.empty()
                    : Optional.ofNullable(fetchedByThread.get().get(q));
        }

        /** {@code mq_pv_free}: clears this thread's fetched item of {@code queue}. */
        public void clearFetched(String queue) {
            MemoryQueue q = queues.get(queue);
            if (q != null) {
                fetchedByThread.get().remove(q);
            }
        }

        /**
         * {@code mq_size}: the number of items when there are some, -1 when the queue is empty, -2
         * when unknown.
         */
        public int size(String queue) {
            MemoryQueue q = queues.get(queue);
            if (q == null) {
                return -2;
            }
            int size = q.size();
            return size > 0 ? size : -1;
        }

        /** {@code $mq_size(queue)}: the number of items, 0 when empty or unknown. */
        public int sizeValue(String queue) {
            MemoryQueue q = queues.get(queue);
            return q == null ? 0 : q.size();
        }
    }

    // ---- lifecycle ------------------------------------------------------------------------------------

    /**
     * Closes every queue, then saves those whose database mode saves ({@code dbmode} 1 or 3): their
     * items, oldest first, are appended to their tables. Blocks while saving. Idempotent.
     *
     * @throws StorageException when a queue could not be saved (the others are still saved; further
     *     failures are attached as suppressed)
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        StorageException failure = null;
        for (MemoryQueue q : queues.values()) {
            List<MemoryQueueItem> left = q.close();
            if (!q.definition().dbMode().saves()) {
                continue;
            }
            try {
                database.save(q.name(), left);
            } catch (StorageException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private MemoryQueue queue(String name) {
        MemoryQueue q = queues.get(Objects.requireNonNull(name, "queue"));
        if (q == null) {
            throw new NotFoundException(
                    "no memory queue \"" + name + "\" (defined: " + String.join(", ", queues.keySet()) + ")");
        }
        return q;
    }

    /**
     * Collects definitions and the database, then {@link #open()}s the queues. Not thread-safe; use
     * one builder per instance.
     */
    public static final class Builder {
        private final Map<String, MemoryQueueDefinition> definitions = new LinkedHashMap<>();
        private QueueDatabase database;

        private Builder() {}

        /**
         * Adds a queue in Kamailio's syntax, {@code name=..;size=..;dbmode=..;addmode=..}.
         *
         * @throws IllegalArgumentException for a bad definition or a name already defined
         */
        public Builder define(String definition) {
            return define(MemoryQueueDefinition.parse(definition));
        }

        /**
         * Adds a queue.
         *
         * @throws IllegalArgumentException for a name already defined
         */
        public Builder define(MemoryQueueDefinition definition) {
            Objects.requireNonNull(definition, "definition");
            if (definitions.putIfAbsent(definition.name(), definition) != null) {
                throw new IllegalArgumentException("memory queue \"" + definition.name() + "\" is defined twice");
            }
            return this;
        }

        /**
         * The database of the queues with a database mode, by JDBC URL (Kamailio's {@code db_url}):
         * e.g. {@code jdbc:sqlite:data/mqueue.db} or {@code
         * jdbc:postgresql://host/db?user=ferry&password=...}. The driver must be on the class path.
         */
        public Builder database(String jdbcUrl) {
            // the description in error messages leaves out the URL's parameters, which may hold a password
            this.database = new QueueDatabase(JdbcDatabase.url(jdbcUrl));
            return this;
        }

        /** The database of the queues with a database mode, as a data source (e.g. a pool). */
        public Builder database(DataSource dataSource) {
            this.database = new QueueDatabase(JdbcDatabase.dataSource(dataSource));
            return this;
        }

        /**
         * Creates the queues and loads those whose database mode loads ({@code dbmode} 1 or 2): each
         * row goes through the normal add path (size limit and add mode apply), then the rows loaded
         * are deleted. Tables are created when missing. Blocks while loading.
         *
         * @throws IllegalArgumentException when a queue has a database mode and no database is set
         * @throws StorageException when a table cannot be created or read
         */
        public MemoryQueues open() {
            Map<String, MemoryQueue> queues = new LinkedHashMap<>();
            List<String> needDatabase = new ArrayList<>();
            for (MemoryQueueDefinition d : definitions.values()) {
                queues.put(d.name(), new MemoryQueue(d));
                if (d.dbMode() != MemoryQueueDefinition.DbMode.NONE) {
                    needDatabase.add(d.name());
                }
            }
            if (!needDatabase.isEmpty() && database == null) {
                throw new IllegalArgumentException("memory queues " + needDatabase
                        + " have a dbmode but no database is set (Builder.database(jdbcUrl))");
            }
            for (MemoryQueue q : queues.values()) {
                if (q.definition().dbMode().loads()) {
                    database.load(q.name(), q::add);
                }
            }
            return new MemoryQueues(java.util.Collections.unmodifiableMap(queues), database);
        }
    }
}
