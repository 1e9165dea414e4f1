package dev.ferry.kamailio.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * An SQL database reached through JDBC alone, as the memory queues' tables and the presentity writer
 * use it: where connections come from, and a description for error messages that never carries the
 * URL's parameters (which may hold a password).
 *
 * @param source opens a new connection, which the caller closes
 * @param description names the database in errors
 */
public record JdbcDatabase(ConnectionSource source, String description) {
    /** Opens a connection to the database. */
    @FunctionalInterface
    public interface ConnectionSource {
        /** A new connection; the caller closes it. */
        Connection open() throws SQLException;
    }

    /** Checks the fields. */
    public JdbcDatabase {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(description, "description");
    }

    /**
     * The database of a JDBC URL ({@code jdbc:sqlite:data/x.db}, {@code
     * jdbc:postgresql://host/db?user=..&password=..}), through {@link DriverManager}; the driver must be
     * on the class path.
     */
    public static JdbcDatabase url(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        int query = jdbcUrl.indexOf('?');
        return new JdbcDatabase(
                () -> DriverManager.getConnection(jdbcUrl), query < 0 ? jdbcUrl : jdbcUrl.substring(0, query));
    }

    /** The database of a data source (e.g. a pool). */
    public static JdbcDatabase dataSource(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new JdbcDatabase(dataSource::getConnection, "data source " + dataSource);
    }

    /** A new connection; the caller closes it. */
    public Connection open() throws SQLException {
        return source.open();
    }
}
