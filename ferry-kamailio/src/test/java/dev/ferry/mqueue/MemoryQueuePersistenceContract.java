package dev.ferry.mqueue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.mqueue.MemoryQueueDefinition.AddMode;
import dev.ferry.mqueue.MemoryQueueDefinition.DbMode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Memory queue persistence (dbmode 0 to 3) against a real database; each subclass names one. Every
 * test uses tables of its own (a random suffix, as several runs may share a database) and drops them.
 */
abstract class MemoryQueuePersistenceContract {
    private final String suffix =
            "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    private final List<String> tables = new ArrayList<>();

    /** The database's JDBC URL. */
    abstract String jdbcUrl();

    /** A queue name unique to this test, remembered to drop its table afterwards. */
    String table(String base) {
        String name = base + suffix;
        tables.add(name);
        return name;
    }

    @AfterEach
    void dropTables() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                Statement s = c.createStatement()) {
            for (String t : tables) {
                s.execute("DROP TABLE IF EXISTS \"" + t + "\"");
            }
        }
    }

    private MemoryQueues open(MemoryQueueDefinition... definitions) {
        MemoryQueues.Builder b = MemoryQueues.builder().database(jdbcUrl());
        for (MemoryQueueDefinition d : definitions) {
            b.define(d);
        }
        return b.open();
    }

    private List<String[]> rows(String table) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT \"key\", \"val\" FROM \"" + table + "\" ORDER BY \"id\"")) {
            while (r.next()) {
                rows.add(new String[] {r.getString(1), r.getString(2)});
            }
        }
        return rows;
    }

    private boolean tableExists(String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                ResultSet r = c.getMetaData().getTables(null, null, table, null)) {
            return r.next();
        }
    }

    /** Inserts rows as another program (or an earlier Kamailio) would have left them. */
    private void insert(String table, String... keyValues) throws SQLException {
        try (MemoryQueues q = open(new MemoryQueueDefinition(table, 0, DbMode.SAVE, AddMode.APPEND))) {
            for (int i = 0; i < keyValues.length; i += 2) {
                q.add(table, keyValues[i], keyValues[i + 1]);
            }
        }
        assertThat(rows(table)).hasSize(keyValues.length / 2);
    }

    private static List<String> drain(MemoryQueues queues, String queue) {
        List<String> items = new ArrayList<>();
        for (Optional<MemoryQueueItem> item; (item = queues.fetch(queue)).isPresent(); ) {
            items.add(item.get().key() + "=" + item.get().value());
        }
        return items;
    }

    @Test
    void shouldSaveAtStopAndLoadAtStartWithDbmode1() throws SQLException {
        String name = table("q1");
        MemoryQueueDefinition d = new MemoryQueueDefinition(name, 0, DbMode.LOAD_AND_SAVE, AddMode.APPEND);
        try (MemoryQueues queues = open(d)) {
            assertThat(tableExists(name)).as("created when missing").isTrue();
            queues.add(name, "k1", "v1");
            queues.add(name, "k2", "v2");
            queues.add(name, "", "");
            queues.add(name, "k1", "again");
        }
        assertThat(rows(name)).extracting(r -> r[0] + "=" + r[1]).containsExactly("k1=v1", "k2=v2", "=", "k1=again");
        try (MemoryQueues queues = open(d)) {
            assertThat(rows(name)).as("loaded rows are deleted").isEmpty();
            assertThat(drain(queues, name)).containsExactly("k1=v1", "k2=v2", "=", "k1=again");
            queues.add(name, "k3", "v3");
        }
        assertThat(rows(name)).extracting(r -> r[0]).containsExactly("k3");
    }

    @Test
    void shouldLoadButNotSaveWithDbmode2() throws SQLException {
        String name = table("q2");
        insert(name, "a", "1", "b", "2");
        try (MemoryQueues queues = open(new MemoryQueueDefinition(name, 0, DbMode.LOAD, AddMode.APPEND))) {
            assertThat(queues.size(name)).isEqualTo(2);
            assertThat(rows(name)).isEmpty();
            queues.add(name, "c", "3");
        }
        assertThat(rows(name)).as("dbmode 2 does not save").isEmpty();
    }

    @Test
    void shouldSaveButNotLoadWithDbmode3() throws SQLException {
        String name = table("q3");
        insert(name, "old", "1");
        try (MemoryQueues queues = open(new MemoryQueueDefinition(name, 0, DbMode.SAVE, AddMode.APPEND))) {
            assertThat(queues.size(name)).as("dbmode 3 does not load").isZero();
            queues.add(name, "new", "2");
        }
        assertThat(rows(name)).extracting(r -> r[0]).containsExactly("old", "new");
    }

    @Test
    void shouldNotTouchTheDatabaseWithDbmode0() throws SQLException {
        String name = table("q0");
        try (MemoryQueues queues = open(new MemoryQueueDefinition(name, 0, DbMode.NONE, AddMode.APPEND))) {
            queues.add(name, "k", "v");
        }
        assertThat(tableExists(name)).isFalse();
    }

    @Test
    void shouldLoadThroughTheNormalAddPath() throws SQLException {
        String bounded = table("bounded");
        String keyed = table("keyed");
        insert(bounded, "k1", "v1", "k2", "v2", "k3", "v3");
        insert(keyed, "a", "a1", "b", "b1", "a", "a2");
        try (MemoryQueues queues = open(
                new MemoryQueueDefinition(bounded, 2, DbMode.LOAD, AddMode.APPEND),
                new MemoryQueueDefinition(keyed, 0, DbMode.LOAD, AddMode.REPLACE))) {
            assertThat(drain(queues, bounded)).as("size limit applies").containsExactly("k2=v2", "k3=v3");
            assertThat(queues.stats(bounded).dropped()).isEqualTo(1);
            assertThat(drain(queues, keyed)).as("addmode applies").containsExactly("b=b1", "a=a2");
        }
    }

    @Test
    void shouldLoadATableWithKamailiosLayoutAndNullValues() throws SQLException {
        String name = table("kam");
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE \"" + name + "\" (id INTEGER PRIMARY KEY, key VARCHAR(64), val VARCHAR(4096))");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO \"" + name + "\" VALUES (?, ?, ?)")) {
                p.setInt(1, 7);
                p.setString(2, "later");
                p.setString(3, null);
                p.executeUpdate();
                p.setInt(1, 3);
                p.setString(2, "first");
                p.setString(3, "v");
                p.executeUpdate();
            }
        }
        try (MemoryQueues queues = open(new MemoryQueueDefinition(name, 0, DbMode.LOAD, AddMode.APPEND))) {
            assertThat(drain(queues, name)).as("in id order, NULL as empty").containsExactly("first=v", "later=");
        }
    }
}
