package dev.ferry.server;

import dev.ferry.StorageException;
import dev.ferry.mqueue.MemoryQueueDefinition;
import dev.ferry.mqueue.MemoryQueues;
import dev.ferry.nsq.HttpRoute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The broker's memory queues, from {@code ferry server --mqueue DEFINITION} (repeatable, Kamailio's
 * {@code mqueue} parameter) and {@code --mqueue-db-url}, and the {@code /rpc} route that exposes
 * them. Queues with a {@code dbmode} use the database URL, by default an SQLite file {@code
 * mqueue.db} in the data directory.
 *
 * <p>Life cycle: {@link #parse} checks the flags before anything is opened (a usage error), {@link
 * #open} loads the queues and returns the HTTP routes, {@link #close} saves them. Not thread-safe;
 * the server's main thread drives it.
 */
final class BrokerMemoryQueues implements AutoCloseable {
    private final MemoryQueues.Builder builder;
    private final Path dataPath;
    private final boolean needsDatabase;
    private final boolean defaultDatabase;
    private MemoryQueues queues;

    private BrokerMemoryQueues(
            MemoryQueues.Builder builder, Path dataPath, boolean needsDatabase, boolean defaultDatabase) {
        this.builder = builder;
        this.dataPath = dataPath;
        this.needsDatabase = needsDatabase;
        this.defaultDatabase = defaultDatabase;
    }

    /**
     * Checks the definitions.
     *
     * @throws IllegalArgumentException naming the bad definition (a usage error)
     */
    static BrokerMemoryQueues parse(List<String> definitions, String dbUrl, Path dataPath) {
        MemoryQueues.Builder builder = MemoryQueues.builder();
        boolean needsDatabase = false;
        for (String text : definitions) {
            try {
                MemoryQueueDefinition d = MemoryQueueDefinition.parse(text);
                builder.define(d);
                needsDatabase |= d.dbMode() != MemoryQueueDefinition.DbMode.NONE;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--mqueue: " + e.getMessage(), e);
            }
        }
        if (dbUrl != null && !dbUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("--mqueue-db-url must be a JDBC URL (jdbc:...), got \"" + dbUrl + "\"");
        }
        String url = dbUrl != null ? dbUrl : "jdbc:sqlite:" + dataPath.resolve("mqueue.db");
        if (needsDatabase) {
            builder.database(url);
        }
        return new BrokerMemoryQueues(builder, dataPath, needsDatabase, dbUrl == null);
    }

    /**
     * Opens the queues (loading those with dbmode 1 or 2) and returns the {@code /rpc} route.
     *
     * @throws StorageException when a queue cannot be loaded
     */
    List<HttpRoute> open() {
        if (needsDatabase && defaultDatabase) {
            try {
                Files.createDirectories(dataPath); // SQLite creates the file, not its directory
            } catch (IOException e) {
                throw new StorageException("cannot create " + dataPath + " for mqueue.db: " + e.getMessage(), e);
            }
        }
        queues = builder.open();
        return List.of(
                new RpcRoute(MqueueRpc.register(JsonRpc.builder(), queues).build()));
    }

    /** Saves the queues with dbmode 1 or 3. */
    @Override
    public void close() {
        if (queues != null) {
            queues.close();
        }
    }
}
