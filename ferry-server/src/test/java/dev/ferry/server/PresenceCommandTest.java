package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry presence} against a real broker over TCP, into SQLite. */
class PresenceCommandTest {
    private final CliBroker broker = new CliBroker();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        broker.close();
    }

    private String dbUrl() {
        return "jdbc:sqlite:" + dir.resolve("kamailio.db");
    }

    private List<String> rows() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(dbUrl());
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT event, username, domain, etag FROM presentity ORDER BY id")) {
            while (r.next()) {
                rows.add(r.getString(1) + " " + r.getString(2) + "@" + r.getString(3) + " " + r.getString(4));
            }
        }
        return rows;
    }

    @Test
    void shouldWriteTheTopicsEventsAndDeadLetterTheMalformedOnes() throws Exception {
        broker.publish(
                "presence",
                "{\"Event-Name\":\"update\",\"Event-Package\":\"presence\",\"From\":\"sip:alice@example.com\","
                        + "\"From-User\":\"alice\",\"From-Realm\":\"example.com\",\"To-User\":\"alice\","
                        + "\"Call-ID\":\"c1\",\"State\":\"early\"}",
                "{\"Event-Name\":\"update\",\"Event-Package\":\"presence\"}",
                "{\"Event-Name\":\"probe\"}");

        CliBroker.Run run = broker.run(
                "presence", "--topic", "presence", "--channel", "kamailio", "--db-url", dbUrl(), "--count", "3");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).as("standard output stays empty").isEmpty();
        assertThat(run.err())
                .contains("presence: writing presence/kamailio from " + broker.tcpAddress() + " into presentity in "
                        + dbUrl() + "; malformed events go to presence.dead")
                .contains("presence: 1 written in 1 transactions, 1 ignored, 1 dead-lettered, 0 requeued; reached"
                        + " --count 3");
        assertThat(rows()).containsExactly("presence alice@example.com c1");
        assertThat(broker.channel("presence", "kamailio").orElseThrow().depth()).isZero();
        assertThat(broker.topic("presence.dead").orElseThrow().messageCount()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAUrlThatIsNotJdbcAndAnEngineWithABroker() {
        CliBroker.Run notJdbc = broker.run(
                "presence", "--topic", "presence", "--channel", "k", "--db-url", "postgresql://h/db?password=secret");
        assertThat(notJdbc.code()).isEqualTo(2);
        assertThat(notJdbc.err())
                .contains("--db-url must be a JDBC URL such as jdbc:sqlite:kamailio.db or"
                        + " jdbc:postgresql://host/kamailio?user=kamailio, got \"postgresql://h/db\"")
                .doesNotContain("secret");

        CliBroker.Run both = broker.run(
                "presence", "--topic", "presence", "--channel", "k", "--db-url", dbUrl(), "--engine", "memory:");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("--engine consumes in this process; it cannot be combined with");
    }

    @Test
    void shouldSayPlainlyWhenTheDatabaseCannotBeReached() {
        CliBroker.Run run = broker.run(
                "presence",
                "--topic",
                "presence",
                "--channel",
                "k",
                "--db-url",
                "jdbc:sqlite:" + dir.resolve("no/such/dir/kamailio.db"));
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err())
                .startsWith("ferry: cannot use table presentity in jdbc:sqlite:"
                        + dir.resolve("no/such/dir/kamailio.db") + ": ")
                .doesNotContain("\tat ");
    }
}
