package dev.ferry.server;

import dev.ferry.Bus;
import dev.ferry.InvalidNameException;
import dev.ferry.Names;
import dev.ferry.presence.PresenceConsumer;
import dev.ferry.presence.PresenceStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry presence --topic T --channel C --db-url URL}: consumes presence events and writes
 * them into Kamailio's presentity table ({@link PresenceConsumer}), from brokers (the client commands'
 * {@code --nsqd-tcp-address} / {@code --lookupd-http-address}) or from an engine in this process
 * ({@code --engine}). Runs until stopped (SIGTERM, Ctrl-C), or until {@code --count} events or
 * {@code --timeout} without one; then prints what it did on standard error.
 *
 * <p>Threads: picocli's thread starts the consumer and waits; a shutdown hook wakes it.
 */
@Command(
        name = "presence",
        mixinStandardHelpOptions = true,
        description = {
            "Consume presence events (the JSON of Kamailio's nsq module: Event-Name update, Event-Package presence,"
                    + " dialog or message-summary) and write them into Kamailio's presentity table, so that"
                    + " Kamailio's presence module notifies the subscribers.",
            "Malformed events go to the dead-letter topic (default <topic>.dead), with the reason on standard"
                    + " error; events the database fails to take are requeued. The table is created with Kamailio"
                    + " 5.6's layout when missing. Standard output stays empty."
        })
final class PresenceCommand extends ClientCommand {
    @Option(
            names = {"--topic", "-topic"},
            required = true,
            description = "The topic the presence events are published to.")
    private String topic;

    @Option(
            names = {"--channel", "-channel"},
            required = true,
            description = "The channel to consume as; created when missing.")
    private String channel;

    @Option(
            names = {"--db-url", "-db-url"},
            required = true,
            paramLabel = "JDBC-URL",
            description = "The database of the presentity table (the nsq module's db_url), e.g."
                    + " jdbc:sqlite:kamailio.db or jdbc:postgresql://host/kamailio?user=kamailio&password=...")
    private String dbUrl;

    @Option(
            names = {"--table", "-table"},
            defaultValue = "presentity",
            description = "The table (the nsq module's presentity_table; default: ${DEFAULT-VALUE}).")
    private String table;

    @Option(
            names = {"--dead-letter-topic", "-dead-letter-topic"},
            description = "Where malformed events go (default: <topic>.dead).")
    private String deadLetterTopic;

    @Option(
            names = {"--max-batch", "-max-batch"},
            defaultValue = "100",
            description = "The most events written in one transaction (default: ${DEFAULT-VALUE}).")
    private int maxBatch;

    @Option(
            names = {"--include-targets", "-include-targets"},
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Give each side of a dialog its <target uri> in dialog bodies, as the nsq module's"
                    + " include-entity setting (default: ${DEFAULT-VALUE}).")
    private boolean includeTargets;

    @Option(
            names = {"--engine", "-engine"},
            paramLabel = "URI",
            description = "Consume from an engine in this process instead of a broker, e.g. file:./data (a"
                    + " directory no running broker holds).")
    private String engine;

    @Option(
            names = {"--timeout", "-timeout"},
            defaultValue = "0",
            converter = ConsumeCommand.IdleTimeout.class,
            paramLabel = "DURATION",
            description = "Exit after this long without an event, e.g. 30s; 0 never (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(
            names = {"--count", "-count", "-n"},
            defaultValue = "0",
            description = "Exit after this many events (written, ignored or dead-lettered); 0 never (default:"
                    + " ${DEFAULT-VALUE}).")
    private long count;

    @Override
    public Integer call() throws InterruptedException {
        check();
        PrintWriter err = spec.commandLine().getErr();
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "ferry-presence-shutdown");
        try (Bus bus = engine != null ? Bus.open(engine) : broker.connect(b -> b)) {
            PresenceConsumer.Builder builder = PresenceConsumer.builder()
                    .database(dbUrl)
                    .table(table)
                    .maxBatch(maxBatch)
                    .includeTargets(includeTargets);
            if (deadLetterTopic != null) {
                builder.deadLetterTopic(deadLetterTopic);
            }
            try (PresenceConsumer consumer = builder.start(bus, topic, channel)) {
                Runtime.getRuntime().addShutdownHook(hook);
                ChannelConsumption.log(
                        err,
                        "presence: writing " + topic + "/" + channel + " from "
                                + (engine != null ? "engine " + engine : broker.describe()) + " into " + table
                                + " in " + withoutParameters(dbUrl) + "; malformed events go to "
                                + consumer.deadLetterTopic());
                End end = waitForTheEnd(consumer, stop);
                consumer.close();
                PresenceStats s = consumer.stats();
                ChannelConsumption.log(
                        err,
                        "presence: " + s.written() + " written in " + s.transactions() + " transactions, "
                                + s.ignored() + " ignored, " + s.deadLettered() + " dead-lettered, " + s.requeued()
                                + " requeued; "
                                + switch (end) {
                                    case COUNT -> "reached --count " + count;
                                    case IDLE -> "no event for " + ChannelConsumption.readable(timeout) + ", exiting";
                                    case STOPPED -> "stopped";
                                });
            } finally {
                removeHook(hook);
            }
        }
        return 0;
    }

    /** Why the command ends. */
    private enum End {
        STOPPED,
        COUNT,
        IDLE
    }

    /** Waits for the stop signal, --count events, or --timeout without a change in the counters. */
    private End waitForTheEnd(PresenceConsumer consumer, CountDownLatch stop) throws InterruptedException {
        if (timeout.isZero() && count == 0) {
            stop.await();
            return End.STOPPED;
        }
        long step = timeout.isZero() ? 50 : Math.max(10, Math.min(timeout.toMillis() / 4, 50));
        PresenceStats last = consumer.stats();
        long idleSince = System.nanoTime();
        while (!stop.await(step, TimeUnit.MILLISECONDS)) {
            PresenceStats now = consumer.stats();
            if (count > 0 && now.written() + now.ignored() + now.deadLettered() >= count) {
                return End.COUNT;
            }
            if (!now.equals(last)) {
                last = now;
                idleSince = System.nanoTime();
            } else if (!timeout.isZero() && System.nanoTime() - idleSince >= timeout.toNanos()) {
                return End.IDLE;
            }
        }
        return End.STOPPED;
    }

    private void check() {
        checkTopic(topic);
        try {
            Names.checkChannel(channel);
            if (deadLetterTopic != null) {
                Names.checkTopic(deadLetterTopic);
            }
        } catch (InvalidNameException e) {
            throw usageError(e.getMessage());
        }
        if (!dbUrl.startsWith("jdbc:")) {
            throw usageError("--db-url must be a JDBC URL such as jdbc:sqlite:kamailio.db or"
                    + " jdbc:postgresql://host/kamailio?user=kamailio, got \"" + withoutParameters(dbUrl) + "\"");
        }
        if (maxBatch < 1) {
            throw usageError("--max-batch must be at least 1, got " + maxBatch);
        }
        if (count < 0) {
            throw usageError("--count must not be negative, got " + count);
        }
        if (timeout.isNegative()) {
            throw usageError("--timeout must not be negative, got " + timeout);
        }
        if (engine != null && broker.given()) {
            throw usageError("--engine consumes in this process; it cannot be combined with --nsqd-tcp-address or"
                    + " --lookupd-http-address");
        }
        try {
            PresenceConsumer.builder().table(table);
        } catch (IllegalArgumentException e) {
            throw usageError("--table: " + e.getMessage());
        }
    }

    /** A JDBC URL without its parameters, which may hold a password. */
    private static String withoutParameters(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the JVM is shutting down and runs the hook itself, or it was never added
        }
    }
}
