package dev.ferry.nsq.internal.server;

import dev.ferry.nsq.internal.metrics.BrokerTraffic;
import dev.ferry.nsq.internal.metrics.MetricLabels;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client connections of one broker, so that {@code /stats} can list consumers per channel and
 * the producers. Thread-safe; connections add themselves when they open and leave when they close.
 */
public final class ClientRegistry {
    private final Set<ClientActivity> clients = ConcurrentHashMap.newKeySet();
    private final BrokerTraffic traffic = new BrokerTraffic(MetricLabels.defaults());

    /** The broker's protocol counts for its metrics, shared by the connections of this registry. */
    public BrokerTraffic traffic() {
        return traffic;
    }

    void add(ClientActivity client) {
        clients.add(client);
        traffic.connected(BrokerTraffic.TCP);
    }

    void remove(ClientActivity client) {
        if (clients.remove(client)) {
            traffic.disconnected(BrokerTraffic.TCP);
        }
    }

    /**
     * Every subscribed client, grouped by {@code topic} and {@code channel} (joined by a NUL), oldest
     * connection first: one pass over the connections for a whole {@code /stats} answer.
     */
    public java.util.Map<String, List<ClientActivity>> consumersByChannel() {
        return clients.stream()
                .filter(c -> c.topic != null && c.channel != null)
                .sorted(OLDEST_FIRST)
                .collect(java.util.stream.Collectors.groupingBy(c -> channelKey(c.topic, c.channel)));
    }

    /** The key of {@link #consumersByChannel()} for a topic and channel. */
    public static String channelKey(String topic, String channel) {
        return topic + "\u0000" + channel;
    }

    /** The clients that have published at least once, oldest connection first. */
    public List<ClientActivity> producers() {
        return clients.stream()
                .filter(ClientActivity::isProducer)
                .sorted(OLDEST_FIRST)
                .toList();
    }

    /** How many connections are open. */
    public int size() {
        return clients.size();
    }

    private static final Comparator<ClientActivity> OLDEST_FIRST =
            Comparator.comparingLong(ClientActivity::connectTime);
}
