package dev.ferry.mqueue.internal;

import dev.ferry.StorageException;
import dev.ferry.kamailio.internal.JdbcDatabase;
import dev.ferry.kamailio.internal.SqlDialect;
import dev.ferry.mqueue.MemoryQueueItem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables of memory queues in an SQL database, through JDBC alone: one table per queue, named
 * after it, with {@code id} (auto-increment, the order), {@code key} and {@code val}, created when
 * missing. Loading hands every row, in {@code id} order, to the queue's normal add path and then
 * deletes the rows it read; saving inserts the items oldest first. Each runs in one transaction.
 *
 * <p>The column types are chosen by the database's product name (SQLite and PostgreSQL are tested;
 * others get standard SQL). Names are quoted with the driver's identifier quote.
 *
 * <p>Not thread-safe; used at start and stop only. Every method opens and closes its connection.
 */
public final class QueueDatabase {
    /** Receives the loaded rows. */
    @FunctionalInterface
    public interface RowSink {
        /** Adds one loaded item through the queue's normal add path. */
        void add(MemoryQueueItem item);
    }

    private final JdbcDatabase source;
    private final String description;

    /** Tables in {@code database}. */
    public QueueDatabase(JdbcDatabase database) {
        this.source = database;
        this.description = database.description();
    }

    /**
     * Reads the table of {@code queue} (created when missing) into {@code sink}, oldest first, and
     * deletes the rows read.
     *
     * @return how many rows were loaded
     * @throws StorageException naming the queue and the database
     */
    public int load(String queue, RowSink sink) {
        try (Connection c = source.open()) {
            c.setAutoCommit(false);
            try {
                String table = createIfMissing(c, queue);
                String q = quote(c);
                long last = Long.MIN_VALUE;
                int count = 0;
                try (Statement s = c.createStatement();
                        ResultSet rows = s.executeQuery("SELECT " + q + "id" + q + ", " + q + "key" + q + ", " + q
                                + "val" + q + " FROM " + table + " ORDER BY " + q + "id" + q)) {
                    while (rows.next()) {
                        last = rows.getLong(1);
                        sink.add(new MemoryQueueItem(orEmpty(rows.getString(2)), orEmpty(rows.getString(3))));
                        count++;
                    }
                }
                if (count > 0) {
                    try (PreparedStatement delete =
                            c.prepareStatement("DELETE FROM " + table + " WHERE " + q + "id" + q + " <= ?")) {
                        delete.setLong(1, last);
                        delete.executeUpdate();
                    }
                }
                c.commit();
                return count;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot load memory queue \"" + queue + "\" from " + description + ": " + e.getMessage(), e);
        }
    }

    /**
     * Appends {@code items} to the table of {@code queue} (created when missing), oldest first.
     *
     * @throws StorageException naming the queue, the database and how many items were not saved
     */
    public void save(String queue, List<MemoryQueueItem> items) {
        try (Connection c = source.open()) {
            c.setAutoCommit(false);
            try {
                String table = createIfMissing(c, queue);
                String q = quote(c);
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO " + table + " (" + q + "key" + q + ", " + q + "val" + q + ") VALUES (?, ?)")) {
                    for (MemoryQueueItem item : items) {
                        insert.setString(1, item.key());
                        insert.setString(2, item.value());
                        insert.addBatch();
                    }
                    if (!items.isEmpty()) {
                        insert.executeBatch();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot save memory queue \"" + queue + "\" (" + items.size() + " items, now lost) to "
                            + description + ": " + e.getMessage(),
                    e);
        }
    }

    /** Creates the queue's table when missing; returns its quoted name. */
    private static String createIfMissing(Connection c, String queue) throws SQLException {
        SqlDialect dialect = SqlDialect.of(c);
        String q = quote(c);
        String id = dialect.bigIdentity();
        String text = switch (dialect) {
            case SQLITE, POSTGRESQL -> "TEXT NOT NULL DEFAULT ''";
            case MYSQL -> "TEXT NOT NULL";
            case STANDARD -> "VARCHAR(4096) DEFAULT '' NOT NULL";
        };
        String table = q + queue + q;
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (" + q + "id" + q + " " + id + ", " + q + "key" + q
                    + " " + text + ", " + q + "val" + q + " " + text + ")");
        }
        return table;
    }

    private static String quote(Connection c) throws SQLException {
        return SqlDialect.quote(c);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
