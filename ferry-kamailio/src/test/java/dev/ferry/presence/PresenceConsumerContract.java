package dev.ferry.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.testing.Xml;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The presence consumer against a real database, each subclass naming one: events through an
 * in-memory bus into the presentity table. Every test has a table of its own (several runs may share
 * a database) and drops it.
 */
abstract class PresenceConsumerContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_780_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final String table =
            "presentity_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    private Bus bus;
    private PresenceConsumer consumer;

    /** The database's JDBC URL. */
    abstract String jdbcUrl();

    /** A row as the test reads it back. */
    record Row(
            String event,
            String domain,
            String username,
            String etag,
            String sender,
            String body,
            int expires,
            int receivedTime,
            int priority,
            String ruid) {}

    @BeforeEach
    void openBus() {
        bus = Bus.inMemory();
    }

    @AfterEach
    void closeAndDrop() throws SQLException {
        if (consumer != null) {
            consumer.close();
        }
        bus.close();
        sql("DROP TABLE IF EXISTS " + table + "_away");
        sql("DROP TABLE IF EXISTS " + table);
    }

    private PresenceConsumer start() {
        consumer = PresenceConsumer.builder()
                .database(jdbcUrl())
                .table(table)
                .clock(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC))
                .retryBackoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100)))
                .start(bus, "presence", "kamailio");
        return consumer;
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private List<Row> rows() throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT event, domain, username, etag, sender, body, expires,"
                        + " received_time, priority, ruid FROM " + table + " ORDER BY id")) {
            while (r.next()) {
                rows.add(new Row(
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.getString(4),
                        r.getString(5),
                        new String(r.getBytes(6), StandardCharsets.UTF_8),
                        r.getInt(7),
                        r.getInt(8),
                        r.getInt(9),
                        r.getString(10)));
            }
        }
        return rows;
    }

    private void publish(ObjectNode event) {
        bus.publish("presence", event.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void publishAndAwaitWritten(ObjectNode event) {
        long before = consumer.stats().written();
        publish(event);
        await().atMost(WAIT).until(() -> consumer.stats().written() > before);
    }

    private static ObjectNode presence(String user, String callId, String state) {
        return JSON.createObjectNode()
                .put("Event-Name", "update")
                .put("Event-Package", "presence")
                .put("From", "sip:" + user + "@example.com")
                .put("From-User", user)
                .put("From-Realm", "example.com")
                .put("To-User", user)
                .put("Call-ID", callId)
                .put("State", state)
                .put("Expires", 3600);
    }

    private static ObjectNode dialog(String user, String realm, String callId, int flushLevel) {
        return JSON.createObjectNode()
                .put("Event-Name", "update")
                .put("Event-Package", "dialog")
                .put("From", "sip:" + user + "@" + realm)
                .put("From-User", user)
                .put("From-Realm", realm)
                .put("To", "sip:x@elsewhere")
                .put("Call-ID", callId)
                .put("State", "confirmed")
                .put("Flush-Level", flushLevel);
    }

    @Test
    void shouldCreateTheTableAndWriteEveryColumn() throws Exception {
        start();
        publishAndAwaitWritten(presence("alice", "c1", "confirmed"));
        publishAndAwaitWritten(JSON.createObjectNode()
                .put("Event-Name", "update")
                .put("Event-Package", "message-summary")
                .put("From", "sip:alice@example.com")
                .put("From-User", "alice")
                .put("From-Realm", "example.com")
                .put("Call-ID", "m1")
                .put("Messages-Waiting", "yes")
                .put("Message-Account", "sip:alice@example.com")
                .put("Messages-New", 1)
                .put("Messages-Saved", 0)
                .put("Messages-Urgent", 0)
                .put("Messages-Urgent-Saved", 0));

        List<Row> rows = rows();
        assertThat(rows).hasSize(2);
        Row p = rows.get(0);
        assertThat(p.event()).isEqualTo("presence");
        assertThat(p.domain()).isEqualTo("example.com");
        assertThat(p.username()).isEqualTo("alice");
        assertThat(p.etag()).isEqualTo("c1");
        assertThat(p.sender()).isEqualTo("sip:alice@example.com");
        assertThat(p.expires()).isEqualTo((int) NOW + 3600);
        assertThat(p.receivedTime()).isEqualTo((int) NOW);
        assertThat(p.priority()).isZero();
        assertThat(p.ruid()).isNotBlank().hasSizeLessThanOrEqualTo(64);
        assertThat(Xml.only(Xml.parse(p.body()), "urn:ietf:params:xml:ns:pidf", "note")
                        .getTextContent())
                .isEqualTo("On the Phone");
        Row m = rows.get(1);
        assertThat(m.event()).isEqualTo("message-summary");
        assertThat(m.etag()).isEqualTo("m1");
        assertThat(m.body())
                .isEqualTo(
                        "Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 1/0 (0/0)\r\n");
        assertThat(m.ruid()).isNotEqualTo(p.ruid());
        assertThat(consumer.stats()).isEqualTo(new PresenceStats(2, 2, 0, 0, 0));
    }

    @Test
    void shouldReplaceThePreviousStateOfThePresentity() throws Exception {
        start();
        publishAndAwaitWritten(presence("alice", "c1", "early"));
        publishAndAwaitWritten(presence("bob", "c2", "early"));
        publishAndAwaitWritten(presence("alice", "c3", "offline"));

        List<Row> rows = rows();
        assertThat(rows)
                .extracting(Row::username, Row::etag)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("bob", "c2"),
                        org.assertj.core.groups.Tuple.tuple("alice", "c3"));
        Row alice = rows.stream()
                .filter(r -> r.username().equals("alice"))
                .findFirst()
                .orElseThrow();
        assertThat(Xml.only(
                                Xml.only(
                                        Xml.only(Xml.parse(alice.body()), "urn:ietf:params:xml:ns:pidf", "tuple"),
                                        "urn:ietf:params:xml:ns:pidf",
                                        "status"),
                                "urn:ietf:params:xml:ns:pidf",
                                "basic")
                        .getTextContent())
                .isEqualTo("closed");
    }

    @Test
    void shouldWidenWhatADialogReplacesWithItsFlushLevel() throws Exception {
        start();
        publishAndAwaitWritten(presence("alice", "p1", "early"));
        publishAndAwaitWritten(dialog("alice", "example.com", "d1", 0));
        publishAndAwaitWritten(dialog("alice", "example.com", "d2", 0));
        publishAndAwaitWritten(dialog("bob", "example.com", "d3", 0));
        publishAndAwaitWritten(dialog("carol", "example.org", "d4", 0));
        assertThat(dialogs()).as("level 0 replaces only the same dialog").containsExactly("d1", "d2", "d3", "d4");

        publishAndAwaitWritten(dialog("alice", "example.com", "d5", 1));
        assertThat(dialogs()).as("level 1: every dialog of alice").containsExactly("d3", "d4", "d5");

        publishAndAwaitWritten(dialog("dave", "example.com", "d6", 2));
        assertThat(dialogs()).as("level 2: every dialog of the domain").containsExactly("d4", "d6");

        publishAndAwaitWritten(dialog("erin", "example.net", "d7", 3));
        assertThat(dialogs()).as("level 3: every dialog").containsExactly("d7");
        assertThat(rows())
                .filteredOn(r -> r.event().equals("presence"))
                .as("other events untouched")
                .hasSize(1);
    }

    private List<String> dialogs() throws SQLException {
        return rows().stream()
                .filter(r -> r.event().equals("dialog"))
                .map(Row::etag)
                .sorted()
                .toList();
    }

    @Test
    void shouldRequeueWhileTheDatabaseFailsAndLoseNothing() throws Exception {
        start();
        publishAndAwaitWritten(presence("first", "c0", "early"));
        sql("ALTER TABLE " + table + " RENAME TO " + table + "_away");
        for (int i = 1; i <= 5; i++) {
            publish(presence("user" + i, "c" + i, "early"));
        }
        await().atMost(WAIT).until(() -> consumer.stats().requeued() >= 10);
        assertThat(consumer.stats().written())
                .as("nothing written while the table is away")
                .isEqualTo(1);

        sql("ALTER TABLE " + table + "_away RENAME TO " + table);
        await().atMost(WAIT).until(() -> consumer.stats().written() == 6);
        assertThat(rows())
                .extracting(Row::username)
                .containsExactlyInAnyOrder("first", "user1", "user2", "user3", "user4", "user5");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(
                                bus.admin().topic("presence").orElseThrow().channels())
                        .singleElement()
                        .satisfies(c -> {
                            assertThat(c.depth() + c.inFlight() + c.deferred())
                                    .as("every event finished")
                                    .isZero();
                            assertThat(c.requeueCount()).isGreaterThanOrEqualTo(10);
                        }));
    }

    @Test
    void shouldMoveAMalformedEventToTheDeadLetterTopicAndGoOn() throws Exception {
        List<String> dead = new CopyOnWriteArrayList<>();
        bus.subscribe("presence.dead", "check", m -> dead.add(new String(m.body(), StandardCharsets.UTF_8)));
        start();
        assertThat(consumer.deadLetterTopic()).isEqualTo("presence.dead");
        bus.publish("presence", "{\"Event-Name\":\"update\",".getBytes(StandardCharsets.UTF_8));
        ObjectNode noState = presence("alice", "c1", "early");
        noState.remove("State");
        publish(noState);
        publish(presence("bob", "c2", "early").put("Event-Name", "probe"));
        publishAndAwaitWritten(presence("carol", "c3", "early"));

        await().atMost(WAIT).until(() -> dead.size() == 2);
        assertThat(dead).containsExactlyInAnyOrder("{\"Event-Name\":\"update\",", noState.toString());
        await().atMost(WAIT).until(() -> consumer.stats().ignored() == 1);
        assertThat(consumer.stats().deadLettered()).isEqualTo(2);
        assertThat(rows()).extracting(Row::username).containsExactly("carol");
    }
}
