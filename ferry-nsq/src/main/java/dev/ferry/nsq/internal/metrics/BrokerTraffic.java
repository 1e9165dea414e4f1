package dev.ferry.nsq.internal.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The protocol's own counts for the metrics, kept by the broker's connections as they work: per
 * channel label, deliveries and finishes ({@link ChannelTraffic}); open connections by kind; and
 * the publish-to-delivery latency of first deliveries, handed to a sink the metrics set.
 *
 * <p>Bounded: channels are keyed by their {@link MetricLabels labels}, so the map holds at most as
 * many entries as there are label values. Thread-safe; a connection looks its {@link
 * ChannelTraffic} up once, when it subscribes, and counts on it without a map lookup afterwards.
 */
public final class BrokerTraffic {
    /** A connection of NSQ's TCP protocol. */
    public static final String TCP = "tcp";

    /** A connection to the HTTP API. */
    public static final String HTTP = "http";

    /** A connection to the HTTPS API. */
    public static final String HTTPS = "https";

    /** Hears the publish-to-delivery latency of each first delivery. */
    @FunctionalInterface
    public interface LatencySink {
        /** A message published {@code nanos} nanoseconds ago was written to a consumer for the first time. */
        void record(long nanos);
    }

    private final MetricLabels labels;
    private final Map<Key, ChannelTraffic> channels = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private volatile LatencySink latency = nanos -> {};

    /** A topic and channel label pair. */
    private record Key(String topic, String channel) {}

    /** Counts under {@code labels}. */
    public BrokerTraffic(MetricLabels labels) {
        this.labels = labels;
        for (String kind : new String[] {TCP, HTTP, HTTPS}) {
            connections.put(kind, new AtomicInteger());
        }
    }

    /** The labels the counts are kept under. */
    public MetricLabels labels() {
        return labels;
    }

    /** The counts of channel {@code channel} of topic {@code topic} (under their labels). */
    public ChannelTraffic channel(String topic, String channel) {
        Key key = new Key(labels.topic(topic), labels.channel(topic, channel));
        return channels.computeIfAbsent(key, k -> new ChannelTraffic());
    }

    /** Calls {@code each} with the topic label, channel label and counts of every channel label seen. */
    public void forEachChannel(TriConsumer each) {
        channels.forEach((k, v) -> each.accept(k.topic(), k.channel(), v));
    }

    /** A consumer of a topic label, a channel label and its counts. */
    @FunctionalInterface
    public interface TriConsumer {
        /** One channel label's counts. */
        void accept(String topic, String channel, ChannelTraffic traffic);
    }

    /** A connection of {@code kind} ({@link #TCP}, {@link #HTTP}, {@link #HTTPS}) opened. */
    public void connected(String kind) {
        connections.get(kind).incrementAndGet();
    }

    /** A connection of {@code kind} closed. */
    public void disconnected(String kind) {
        connections.get(kind).decrementAndGet();
    }

    /** Calls {@code each} with every connection kind and how many are open. */
    public void forEachConnectionKind(BiConsumer<String, Integer> each) {
        connections.forEach((k, v) -> each.accept(k, v.get()));
    }

    /** How many connections of {@code kind} are open. */
    public int connections(String kind) {
        return connections.get(kind).get();
    }

    /** Records the latency of a first delivery of a message published {@code nanos} ago. */
    public void firstDelivery(long nanos) {
        latency.record(nanos);
    }

    /** Sends first-delivery latencies to {@code sink} from now on (the metrics, once made). */
    public void latencyTo(LatencySink sink) {
        this.latency = sink;
    }
}
