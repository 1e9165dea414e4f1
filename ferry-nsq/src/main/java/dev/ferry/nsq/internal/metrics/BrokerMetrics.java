package dev.ferry.nsq.internal.metrics;

import dev.ferry.TopicStats;
import dev.ferry.nsq.internal.metrics.LabelledStats.ChannelKey;
import dev.ferry.nsq.internal.metrics.LabelledStats.ChannelSums;
import dev.ferry.nsq.internal.metrics.LabelledStats.TopicSums;
import dev.ferry.spi.DiskUsage;
import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineTimings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The broker's metrics in a Micrometer {@link PrometheusMeterRegistry}, written in Prometheus' text
 * format by {@link #scrape()}. What is measured, by name (as Prometheus shows it):
 *
 * <ul>
 *   <li>per topic label ({@code topic}): {@code ferry_topic_depth}, {@code
 *       ferry_topic_stored_bytes}, {@code ferry_topic_paused}, {@code ferry_topics} (how many
 *       topics share the label), and the counters {@code ferry_topic_messages_total}, {@code
 *       ferry_topic_message_bytes_total}, {@code ferry_topic_dropped_total}, {@code
 *       ferry_topic_rejected_total};
 *   <li>per channel label ({@code topic}, {@code channel}): {@code ferry_channel_depth}, {@code
 *       ferry_channel_in_flight}, {@code ferry_channel_deferred}, {@code ferry_channel_consumers},
 *       {@code ferry_channel_paused}, and the counters {@code ferry_channel_messages_total}, {@code
 *       ferry_channel_requeued_total}, {@code ferry_channel_timed_out_total}, {@code
 *       ferry_channel_dropped_total}, {@code ferry_channel_dead_lettered_total}, {@code
 *       ferry_channel_delivered_total}, {@code ferry_channel_finished_total};
 *   <li>histograms: {@code ferry_delivery_latency_seconds} (publish to first delivery), {@code
 *       ferry_engine_write_seconds} and {@code ferry_engine_fsync_seconds};
 *   <li>{@code ferry_connections{kind="tcp|http|https"}}; {@code ferry_engine_stored_bytes} and
 *       {@code ferry_disk_free_bytes} (an engine with a data directory only);
 *   <li>Micrometer's JVM and process meters ({@code jvm_*}, {@code process_*}, {@code system_*}).
 * </ul>
 *
 * <p>Topic and channel meters follow the engine's statistics, read at each scrape: a label that
 * appears gets its meters, one that no longer has a topic or channel loses them. Labels are bounded
 * by {@link MetricLabels}; a counter of a shared label is a sum and may go down when a topic under
 * it is deleted, which Prometheus reads as a counter reset.
 *
 * <p>Thread-safe: the engine and the connections report from their own threads; scrapes are
 * serialised. {@link #scrape()} never blocks: it completes when the engine's statistics arrive.
 */
public final class BrokerMetrics implements AutoCloseable {
    private static final Duration[] LATENCY_BUCKETS = durations(1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 30_000);
    private static final Duration[] WRITE_BUCKETS = micros(10, 50, 100, 250, 500, 1000, 5000, 10_000, 50_000, 250_000);
    private static final Duration[] FSYNC_BUCKETS =
            micros(100, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 500_000, 1_000_000);

    private final Engine engine;
    private final BrokerTraffic traffic;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Engine.Registration timings;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<String, Meters<TopicSums>> topics = new HashMap<>();
    private final Map<ChannelKey, Meters<ChannelSums>> channels = new HashMap<>();
    private final Map<ChannelKey, List<Meter>> channelTraffic = new HashMap<>();
    private volatile DiskUsage disk;

    /** The meters of one label, reading its latest sums. */
    private static final class Meters<S> {
        volatile S sums;
        final List<Meter> meters = new ArrayList<>();

        Meters(S sums) {
            this.sums = sums;
        }
    }

    /** Measures {@code engine} and the protocol's {@code traffic}; registers the JVM's meters. */
    public BrokerMetrics(Engine engine, BrokerTraffic traffic) {
        this.engine = engine;
        this.traffic = traffic;
        Timer latency = Timer.builder("ferry.delivery.latency")
                .description("Time from publish to the first delivery of a message to a consumer")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        traffic.latencyTo(nanos -> latency.record(Math.max(0, nanos), TimeUnit.NANOSECONDS));
        Timer write = Timer.builder("ferry.engine.write")
                .description("Time the engine took to write a batch of publishes to a topic log")
                .serviceLevelObjectives(WRITE_BUCKETS)
                .register(registry);
        Timer fsync = Timer.builder("ferry.engine.fsync")
                .description("Time the engine took for one round of forcing written data to disk")
                .serviceLevelObjectives(FSYNC_BUCKETS)
                .register(registry);
        this.timings = engine.observe(new EngineTimings() {
            @Override
            public void written(long nanos) {
                write.record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void synced(long nanos) {
                fsync.record(nanos, TimeUnit.NANOSECONDS);
            }
        });
        for (String kind : List.of(BrokerTraffic.TCP, BrokerTraffic.HTTP, BrokerTraffic.HTTPS)) {
            Gauge.builder("ferry.connections", traffic, t -> t.connections(kind))
                    .description("Open client connections")
                    .tag("kind", kind)
                    .register(registry);
        }
        this.disk = engine.diskUsage().orElse(null);
        if (disk != null) {
            Gauge.builder("ferry.engine.stored", this, m -> m.disk.storedBytes())
                    .description("Bytes the engine's topic logs hold")
                    .baseUnit("bytes")
                    .strongReference(true)
                    .register(registry);
            Gauge.builder("ferry.disk.free", this, m -> m.disk.freeBytes())
                    .description("Bytes left on the disk of the engine's data directory")
                    .baseUnit("bytes")
                    .strongReference(true)
                    .register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /**
     * The metrics in Prometheus' text format, once the engine's statistics are read. Never blocks;
     * the stage completes on the thread that completes the engine's statistics.
     */
    public CompletionStage<String> scrape() {
        return engine.stats().thenApply(this::scrape);
    }

    /** The Content-Type of {@link #scrape()}'s text. */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    private synchronized String scrape(List<TopicStats> stats) {
        LabelledStats sums = LabelledStats.of(stats, traffic.labels());
        update(topics, sums.topics(), this::topicMeters);
        update(channels, sums.channels(), this::channelMeters);
        traffic.forEachChannel((topic, channel, counts) ->
                channelTraffic.computeIfAbsent(new ChannelKey(topic, channel), k -> trafficMeters(k, counts)));
        if (disk != null) {
            disk = engine.diskUsage().orElse(disk);
        }
        return registry.scrape();
    }

    /** Gives each new label its meters, drops those of labels gone, and points the rest at their new sums. */
    private <K, S> void update(Map<K, Meters<S>> known, Map<K, S> now, MeterMaker<K, S> maker) {
        known.entrySet().removeIf(e -> {
            if (now.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().meters.forEach(registry::remove);
            return true;
        });
        now.forEach((key, s) -> {
            Meters<S> m = known.get(key);
            if (m == null) {
                m = new Meters<>(s);
                maker.make(key, m);
                known.put(key, m);
            } else {
                m.sums = s;
            }
        });
    }

    @FunctionalInterface
    private interface MeterMaker<K, S> {
        void make(K key, Meters<S> meters);
    }

    private void topicMeters(String topic, Meters<TopicSums> m) {
        Tags tags = Tags.of("topic", topic);
        gauge(m, "ferry.topic.depth", "Messages held for a first channel", tags, s -> s.depth);
        gauge(m, "ferry.topic.stored", "Bytes the topic's log occupies", tags, s -> s.storedBytes, "bytes");
        gauge(m, "ferry.topic.paused", "Paused topics", tags, s -> s.paused);
        gauge(m, "ferry.topics", "Topics under this label", tags, s -> s.topics);
        counter(m, "ferry.topic.messages", "Messages published", tags, s -> s.messages);
        counter(m, "ferry.topic.message.bytes", "Body bytes published", tags, s -> s.messageBytes);
        counter(
                m,
                "ferry.topic.dropped",
                "Messages dropped by retention before a channel read them",
                tags,
                s -> s.drops);
        counter(m, "ferry.topic.rejected", "Publishes refused by a limit", tags, s -> s.rejects);
    }

    private void channelMeters(ChannelKey key, Meters<ChannelSums> m) {
        Tags tags = Tags.of("topic", key.topic(), "channel", key.channel());
        gauge(m, "ferry.channel.depth", "Messages ready to deliver", tags, s -> s.depth);
        gauge(m, "ferry.channel.in.flight", "Messages delivered and not yet answered", tags, s -> s.inFlight);
        gauge(m, "ferry.channel.deferred", "Messages waiting for a due time", tags, s -> s.deferred);
        gauge(m, "ferry.channel.consumers", "Connected consumers", tags, s -> s.consumers);
        gauge(m, "ferry.channel.paused", "Paused channels", tags, s -> s.paused);
        counter(m, "ferry.channel.messages", "Messages the channel received from its topic", tags, s -> s.messages);
        counter(m, "ferry.channel.requeued", "Messages requeued", tags, s -> s.requeues);
        counter(m, "ferry.channel.timed.out", "In-flight messages that timed out", tags, s -> s.timeouts);
        counter(m, "ferry.channel.dropped", "Messages dropped by a depth limit or retention", tags, s -> s.drops);
        counter(m, "ferry.channel.dead.lettered", "Messages moved to the dead-letter topic", tags, s -> s.deadLetters);
    }

    private List<Meter> trafficMeters(ChannelKey key, ChannelTraffic counts) {
        Tags tags = Tags.of("topic", key.topic(), "channel", key.channel());
        return List.of(
                FunctionCounter.builder("ferry.channel.delivered", counts, c -> c.deliveredCount())
                        .description("Messages written to consumers over TCP, every attempt")
                        .tags(tags)
                        .register(registry),
                FunctionCounter.builder("ferry.channel.finished", counts, c -> c.finishedCount())
                        .description("Messages finished by consumers over TCP")
                        .tags(tags)
                        .register(registry));
    }

    private <S> void gauge(Meters<S> m, String name, String help, Tags tags, ToDoubleFunction<S> value) {
        gauge(m, name, help, tags, value, null);
    }

    private <S> void gauge(Meters<S> m, String name, String help, Tags tags, ToDoubleFunction<S> value, String unit) {
        m.meters.add(Gauge.builder(name, m, x -> value.applyAsDouble(x.sums))
                .description(help)
                .tags(tags)
                .baseUnit(unit)
                .register(registry));
    }

    private <S> void counter(Meters<S> m, String name, String help, Tags tags, ToDoubleFunction<S> value) {
        m.meters.add(FunctionCounter.builder(name, m, x -> value.applyAsDouble(x.sums))
                .description(help)
                .tags(tags)
                .register(registry));
    }

    /** The underlying registry, for tests. */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Stops hearing the engine's timings and the JVM's collections, and closes the registry. Idempotent. */
    @Override
    public void close() {
        timings.close();
        traffic.latencyTo(nanos -> {});
        gc.close();
        registry.close();
    }

    private static Duration[] durations(long... millis) {
        Duration[] out = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            out[i] = Duration.ofMillis(millis[i]);
        }
        return out;
    }

    private static Duration[] micros(long... micros) {
        Duration[] out = new Duration[micros.length];
        for (int i = 0; i < micros.length; i++) {
            out[i] = Duration.ofNanos(micros[i] * 1000);
        }
        return out;
    }
}
