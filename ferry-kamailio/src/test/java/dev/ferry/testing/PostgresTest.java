package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tests' PostgreSQL is a private server in a temporary directory, not the machine's cluster. */
@ExtendWith(Postgres.class)
class PostgresTest {
    @BeforeAll
    static void needPostgres() {
        assumeTrue(Postgres.url().isPresent(), Postgres::absentReason);
    }

    private static String show(String setting) throws SQLException {
        try (Connection c = DriverManager.getConnection(Postgres.url().orElseThrow());
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SHOW " + setting)) {
            r.next();
            return r.getString(1);
        }
    }

    @Test
    void shouldRunAPrivateServerInATemporaryDirectory() throws SQLException {
        Path data = Path.of(show("data_directory")).toAbsolutePath();
        assertThat(data)
                .startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
        assertThat(data.getParent().getFileName().toString()).startsWith("ferry-test-postgres-");
        assertThat(show("listen_addresses")).isEqualTo("127.0.0.1");
        assertThat(show("unix_socket_directories")).isEqualTo(data.getParent().toString());
        assertThat(Integer.parseInt(show("port"))).isNotEqualTo(5432);
    }
}
