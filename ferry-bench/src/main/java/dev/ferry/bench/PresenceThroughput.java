package dev.ferry.bench;

import dev.ferry.Bus;
import dev.ferry.presence.PresenceConsumer;
import dev.ferry.presence.PresenceStats;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Presence events per second into the presentity table: {@code events} presence updates (1,000
 * presentities, states rotating) are published to an in-memory bus first, then a {@link
 * PresenceConsumer} with {@code maxBatch} writes them into table {@code presentity_bench} (dropped
 * before the run) of the database; the rate is events over the time from start to the last commit.
 * Not JMH: one timed run, printed with the transactions it took.
 *
 * <pre>java -cp ferry-bench/target/benchmarks.jar dev.ferry.bench.PresenceThroughput JDBC-URL [events] [maxBatch]</pre>
 */
public final class PresenceThroughput {
    private static final String TABLE = "presentity_bench";
    private static final String[] STATES = {"early", "confirmed", "offline", "online"};

    private PresenceThroughput() {}

    public static void main(String[] args) throws SQLException {
        if (args.length < 1) {
            System.err.println("usage: PresenceThroughput JDBC-URL [events] [maxBatch]");
            System.exit(2);
        }
        String url = args[0];
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int maxBatch = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
        try (Bus bus = Bus.inMemory()) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                batch.add(event(i));
                if (batch.size() == 1000) {
                    bus.publish("presence", batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                bus.publish("presence", batch);
            }
            long start = System.nanoTime();
            PresenceStats s;
            try (PresenceConsumer consumer = PresenceConsumer.builder()
                    .database(url)
                    .table(TABLE)
                    .maxBatch(maxBatch)
                    .start(bus, "presence", "bench")) {
                while ((s = consumer.stats()).written() < events) {
                    if (s.requeued() > 0 || s.deadLettered() > 0) {
                        throw new IllegalStateException("the run failed: " + s);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "%s maxBatch=%d: %d events in %.2f s = %,.0f events/s; %d transactions (%.1f events each)%n",
                    url.replaceAll("\\?.*", ""),
                    maxBatch,
                    events,
                    seconds,
                    events / seconds,
                    s.transactions(),
                    (double) s.written() / s.transactions());
        }
    }

    private static byte[] event(int i) {
        String user = "user" + (i % 1000);
        return ("{\"Event-Name\":\"update\",\"Event-Package\":\"presence\",\"From\":\"sip:" + user
                        + "@example.com\",\"From-User\":\"" + user + "\",\"From-Realm\":\"example.com\",\"To-User\":\""
                        + user + "\",\"Call-ID\":\"call-" + i + "\",\"State\":\"" + STATES[i % STATES.length]
                        + "\",\"Expires\":3600}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
