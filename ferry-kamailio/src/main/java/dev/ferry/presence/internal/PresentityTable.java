package dev.ferry.presence.internal;

import dev.ferry.kamailio.internal.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Kamailio's presentity table in an SQL database, through JDBC alone. Its layout is Kamailio 5.6's
 * (table version 5): {@code id}, {@code username}, {@code domain}, {@code event}, {@code etag}, {@code
 * expires}, {@code received_time}, {@code body} (binary), {@code sender}, {@code priority}, {@code ruid}
 * (unique), unique on (username, domain, event, etag). A table Kamailio's tools made is used as it is;
 * a missing one is created with that layout and Kamailio's index names (Kamailio's {@code version}
 * table is left alone).
 *
 * <p>Writing a row first deletes the rows it replaces (see {@link PresentityRow#replacedKeys()}),
 * then inserts it with priority 0 and a fresh {@code ruid}, as Kamailio's presence module would.
 * Stateless apart from the table's name; the caller owns the connections.
 */
public final class PresentityTable {
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final List<String> KEYS = List.of("event", "domain", "username", "etag");

    private final String table;
    private final String insert;
    private final String[] deletes = new String[KEYS.size() + 1];

    /**
     * The table named {@code table}.
     *
     * @throws IllegalArgumentException when the name is not lower-case letters, digits and {@code _}
     */
    public PresentityTable(String table) {
        if (!NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("presentity table name must be 1-63 lower-case letters, digits and _,"
                    + " not starting with a digit; got \"" + table + "\"");
        }
        this.table = table;
        this.insert = "INSERT INTO " + table + " (username, domain, event, etag, expires, received_time, body,"
                + " sender, priority, ruid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)";
        for (int keys = 1; keys <= KEYS.size(); keys++) {
            StringBuilder where = new StringBuilder();
            for (String k : KEYS.subList(0, keys)) {
                where.append(where.isEmpty() ? "" : " AND ").append(k).append(" = ?");
            }
            deletes[keys] = "DELETE FROM " + table + " WHERE " + where;
        }
    }

    /** The table's name. */
    public String name() {
        return table;
    }

    /**
     * Creates the table and its indexes when the database has no table of that name. Commits.
     *
     * @return whether it was created
     */
    public boolean createIfMissing(Connection c) throws SQLException {
        if (exists(c)) {
            return false;
        }
        SqlDialect dialect = SqlDialect.of(c);
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id " + dialect.identity() + ", username VARCHAR(64) NOT NULL,"
                    + " domain VARCHAR(64) NOT NULL, event VARCHAR(64) NOT NULL, etag VARCHAR(128) NOT NULL,"
                    + " expires INTEGER NOT NULL, received_time INTEGER NOT NULL, body " + dialect.blob()
                    + " NOT NULL, sender VARCHAR(255) NOT NULL, priority INTEGER DEFAULT 0 NOT NULL,"
                    + " ruid VARCHAR(64), CONSTRAINT " + table + "_presentity_idx UNIQUE (username, domain,"
                    + " event, etag), CONSTRAINT " + table + "_ruid_idx UNIQUE (ruid))");
            s.execute("CREATE INDEX " + table + "_presentity_expires ON " + table + " (expires)");
            s.execute("CREATE INDEX " + table + "_account_idx ON " + table + " (username, domain, event)");
            c.commit();
            return true;
        } catch (SQLException | RuntimeException e) {
            rollback(c, e);
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private boolean exists(Connection c) throws SQLException {
        String name = c.getMetaData().storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT) : table;
        try (ResultSet r = c.getMetaData().getTables(null, null, name, new String[] {"TABLE"})) {
            return r.next();
        }
    }

    /**
     * Writes {@code rows} in order in one transaction: each replaces what it replaces, then is
     * inserted. Commits, or rolls back and throws.
     */
    public void write(Connection c, List<PresentityRow> rows) throws SQLException {
        c.setAutoCommit(false);
        PreparedStatement[] delete = new PreparedStatement[deletes.length];
        try (PreparedStatement ins = c.prepareStatement(insert)) {
            for (PresentityRow row : rows) {
                int keys = row.replacedKeys();
                if (delete[keys] == null) {
                    delete[keys] = c.prepareStatement(deletes[keys]);
                }
                PreparedStatement d = delete[keys];
                String[] values = {row.event(), row.domain(), row.username(), row.etag()};
                for (int i = 0; i < keys; i++) {
                    d.setString(i + 1, values[i]);
                }
                d.executeUpdate();
                ins.setString(1, row.username());
                ins.setString(2, row.domain());
                ins.setString(3, row.event());
                ins.setString(4, row.etag());
                ins.setInt(5, row.expires());
                ins.setInt(6, row.receivedTime());
                ins.setBytes(7, row.body());
                ins.setString(8, row.sender());
                ins.setString(9, "ferry-" + UUID.randomUUID());
                ins.executeUpdate();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            rollback(c, e);
            throw e;
        } finally {
            for (PreparedStatement p : delete) {
                if (p != null) {
                    try {
                        p.close();
                    } catch (SQLException e) {
                        // the connection is broken; the caller sees the write's own outcome
                    }
                }
            }
        }
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
