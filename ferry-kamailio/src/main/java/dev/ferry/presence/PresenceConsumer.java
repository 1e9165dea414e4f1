package dev.ferry.presence;

import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.DeadLetter;
import dev.ferry.Message;
import dev.ferry.Names;
import dev.ferry.StorageException;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.kamailio.internal.JdbcDatabase;
import dev.ferry.presence.internal.MalformedEventException;
import dev.ferry.presence.internal.PresenceEventParser;
import dev.ferry.presence.internal.PresenceEventParser.Ignore;
import dev.ferry.presence.internal.PresenceEventParser.Parsed;
import dev.ferry.presence.internal.PresenceEventParser.Write;
import dev.ferry.presence.internal.PresentityTable;
import dev.ferry.presence.internal.PresentityWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes presence events from a channel and writes them into Kamailio's presentity table, so that
 * Kamailio's presence module sends SIP subscribers NOTIFYs with the new state; what Kamailio's nsq
 * module did with {@code nsq_pua_publish}, without a Kamailio module.
 *
 * <pre>{@code
 * try (PresenceConsumer presence = PresenceConsumer.builder()
 *         .database("jdbc:postgresql://db/kamailio?user=kamailio&password=...")
 *         .start(bus, "presence", "kamailio")) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Events are JSON objects as Kamailio's module read them. Only {@code Event-Name: update} is acted
 * on, by {@code Event-Package}: {@code presence} (a PIDF body from {@code State}), {@code dialog} (a
 * dialog-info body; {@code Flush-Level} 0-3 widens what the row replaces) and {@code
 * message-summary} (an MWI body); other events are finished and counted as {@link
 * PresenceStats#ignored()}. A malformed event (not JSON, a required field missing, a value the table
 * cannot hold) is published unchanged to the dead-letter topic, with the reason logged at WARN, and
 * finished. An event the database fails to take is requeued with the retry backoff, so nothing is
 * lost while the database is away; as everywhere in Ferry, delivery is at least once, and writing a
 * row twice leaves the same state.
 *
 * <p>Each event's delete-then-insert is atomic; events that queue up while a transaction runs share
 * the next one (at most {@link Builder#maxBatch} per transaction). The subscription keeps twice that
 * many messages in flight.
 *
 * <p>Threading: the bus's handler threads parse events and hand rows to one writer thread, which owns
 * the database connection. Thread-safe; {@link #close()} blocks until the events in flight are written
 * or requeued.
 */
public final class PresenceConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PresenceConsumer.class);

    private final Bus bus;
    private final String topic;
    private final String channel;
    private final String deadLetterTopic;
    private final PresenceEventParser parser;
    private final PresentityWriter writer;
    private final LongAdder ignored = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final Subscription subscription;

    private PresenceConsumer(Builder b, Bus bus, String topic, String channel, PresentityWriter writer) {
        this.bus = bus;
        this.topic = topic;
        this.channel = channel;
        this.deadLetterTopic = b.deadLetterTopic == null
                ? DeadLetter.after(1).topicFor(topic)
                : DeadLetter.after(1).to(b.deadLetterTopic).topicFor(topic);
        this.parser = new PresenceEventParser(b.clock, b.includeTargets);
        this.writer = writer;
        SubscribeOptions options = SubscribeOptions.maxInFlight(2 * b.maxBatch).withBackoff(b.retryBackoff);
        this.subscription = bus.subscribeAsync(topic, channel, this::handle, options);
    }

    /** A builder; {@link Builder#database} is required. */
    public static Builder builder() {
        return new Builder();
    }

    private CompletionStage<?> handle(Message m) {
        Parsed parsed;
        try {
            parsed = parser.parse(m.body());
        } catch (MalformedEventException e) {
            log.warn(
                    "presence: event {} on {}/{} is malformed: {}; moved to topic {}",
                    m.id(),
                    topic,
                    channel,
                    e.getMessage(),
                    deadLetterTopic);
            return bus.publishAsync(deadLetterTopic, m.body()).thenRun(deadLettered::increment);
        }
        return switch (parsed) {
            case Ignore i -> {
                ignored.increment();
                log.debug("presence: event {} on {}/{} ignored: {}", m.id(), topic, channel, i.reason());
                yield CompletableFuture.completedFuture(null);
            }
            case Write w -> writer.submit(w.row());
        };
    }

    /** The topic malformed events go to. */
    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** What this consumer has done so far. */
    public PresenceStats stats() {
        return new PresenceStats(
                writer.written(), writer.transactions(), ignored.sum(), deadLettered.sum(), writer.failed());
    }

    /**
     * Stops consuming: closes the subscription (events in flight are written, or requeued when they
     * are not done within its close timeout), then the writer and its connection. Blocks meanwhile.
     * Idempotent.
     */
    @Override
    public void close() {
        try {
            subscription.close();
        } finally {
            writer.close();
        }
    }

    /** Collects the settings, then {@link #start}s a consumer. Not thread-safe. */
    public static final class Builder {
        private JdbcDatabase database;
        private String table = "presentity";
        private String deadLetterTopic;
        private int maxBatch = 100;
        private boolean includeTargets = true;
        private Backoff retryBackoff = Backoff.DEFAULT;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /**
         * The database, by JDBC URL (the nsq module's {@code db_url}): e.g. {@code
         * jdbc:postgresql://host/kamailio?user=..&password=..} or {@code jdbc:sqlite:kamailio.db}. The
         * driver must be on the class path.
         */
        public Builder database(String jdbcUrl) {
            this.database = JdbcDatabase.url(jdbcUrl);
            return this;
        }

        /** The database, as a data source (e.g. a pool). */
        public Builder database(DataSource dataSource) {
            this.database = JdbcDatabase.dataSource(dataSource);
            return this;
        }

        /**
         * The table (the nsq module's {@code presentity_table}; default {@code presentity}).
         *
         * @throws IllegalArgumentException unless lower-case letters, digits and {@code _}
         */
        public Builder table(String name) {
            new PresentityTable(Objects.requireNonNull(name, "table"));
            this.table = name;
            return this;
        }

        /**
         * Where malformed events go (default {@code <topic>.dead}).
         *
         * @throws dev.ferry.InvalidNameException when it is not a valid topic name
         */
        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = Names.checkTopic(topic);
            return this;
        }

        /**
         * The most events written in one transaction (default 100).
         *
         * @throws IllegalArgumentException below 1
         */
        public Builder maxBatch(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("maxBatch must be at least 1, got " + events);
            }
            this.maxBatch = events;
            return this;
        }

        /**
         * Whether dialog bodies give each side's {@code <target uri=..>} (default true, as Kamailio's
         * module with its include-entity setting on).
         */
        public Builder includeTargets(boolean include) {
            this.includeTargets = include;
            return this;
        }

        /** The requeue delay of an event the database failed to take (default 1 s doubling to 60 s). */
        public Builder retryBackoff(Backoff backoff) {
            this.retryBackoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** The clock of {@code received_time} and {@code expires} (default the system's). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Creates the table when missing and starts consuming {@code topic}/{@code channel} of {@code
         * bus}. Blocks while it checks the table.
         *
         * @throws IllegalStateException when no database is set
         * @throws dev.ferry.InvalidNameException for a bad topic or channel name
         * @throws StorageException when the database cannot be reached or the table cannot be created,
         *     naming the database and the table
         */
        public PresenceConsumer start(Bus bus, String topic, String channel) {
            Objects.requireNonNull(bus, "bus");
            Names.checkTopic(topic);
            Names.checkChannel(channel);
            if (database == null) {
                throw new IllegalStateException("no database set (Builder.database(jdbcUrl))");
            }
            PresentityTable t = new PresentityTable(table);
            try (Connection c = database.open()) {
                if (t.createIfMissing(c)) {
                    log.info("presence: created table {} in {}", table, database.description());
                }
            } catch (SQLException e) {
                throw new StorageException(
                        "cannot use table " + table + " in " + database.description() + ": " + e.getMessage(), e);
            }
            PresentityWriter writer = new PresentityWriter(database, t, maxBatch);
            try {
                return new PresenceConsumer(this, bus, topic, channel, writer);
            } catch (RuntimeException e) {
                writer.close();
                throw e;
            }
        }
    }
}
