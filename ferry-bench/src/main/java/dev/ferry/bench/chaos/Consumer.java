package dev.ferry.bench.chaos;

import java.io.IOException;
import java.util.Set;
import java.util.function.Predicate;

/** Reads a channel over one connection, recording each delivery in a ledger and finishing it. */
final class Consumer {
    private Consumer() {}

    /**
     * Consumes {@code topic}/{@code channel} from {@code broker} until every body of {@code expected}
     * was delivered, or nothing arrived for {@code idleMs}; finishes every message {@code finish}
     * accepts (the others stay in flight); while the wall clock is before {@code notBeforeMillis}
     * (deferred messages due then) a quiet spell does not end it. Returns how many messages arrived.
     */
    static int drain(
            Broker broker,
            String topic,
            String channel,
            Ledger ledger,
            Set<String> expected,
            int idleMs,
            long notBeforeMillis,
            Predicate<String> finish)
            throws IOException {
        int received = 0;
        Set<String> waiting = new java.util.HashSet<>(ledger.missing(expected));
        try (NsqConnection c = NsqConnection.open(broker.tcpPort(), idleMs)) {
            c.subscribe(topic, channel, 200);
            while (expected.isEmpty() || !waiting.isEmpty()) {
                NsqConnection.Frame f;
                try {
                    f = c.next();
                } catch (java.net.SocketTimeoutException e) {
                    if (System.currentTimeMillis() < notBeforeMillis) {
                        continue;
                    }
                    break;
                }
                if (f.type() != NsqConnection.MESSAGE) {
                    continue;
                }
                received++;
                ledger.delivered(f.body());
                String body = new String(f.body(), java.nio.charset.StandardCharsets.UTF_8);
                waiting.remove(body);
                if (finish.test(body)) {
                    c.finish(f.id());
                    c.flush();
                }
            }
        }
        return received;
    }
}
