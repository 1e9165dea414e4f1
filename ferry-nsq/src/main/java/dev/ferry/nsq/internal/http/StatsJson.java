package dev.ferry.nsq.internal.http;

import dev.ferry.ChannelStats;
import dev.ferry.RecoveryStats;
import dev.ferry.TopicStats;
import dev.ferry.nsq.internal.server.ClientActivity;
import dev.ferry.nsq.internal.server.ClientRegistry;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /stats} in nsqd 1.3's JSON shape and text form, from the engine's statistics and the
 * broker's client connections.
 *
 * @param version the version reported
 * @param startTime when the broker started (Unix seconds)
 * @param now the time of the request (Unix seconds)
 * @param clients the connections to list (null: {@code include_clients=false})
 * @param topicFilter the {@code topic} asked for (null: all), which also limits producers' counts
 * @param onDisk whether the engine keeps durable messages on disk ({@link
 *     dev.ferry.spi.Engine.Capability#DISK_STORAGE}): {@code backend_depth} is then the depth of
 *     every topic and channel that is not ephemeral, and 0 otherwise (see {@link #backendDepth})
 */
record StatsJson(String version, long startTime, long now, ClientRegistry clients, String topicFilter, boolean onDisk) {

    /**
     * nsqd's {@code backend_depth}: the part of {@code depth} stored on disk. In nsqd that is what
     * overflowed the memory queue, the rest living in memory only; with an engine that writes every
     * durable message to disk before acknowledging it, it is all of a durable topic's or channel's
     * depth (nothing of it lives in memory only), and nothing of an ephemeral one or of an engine
     * without a disk.
     */
    long backendDepth(long depth, boolean ephemeral) {
        return onDisk && !ephemeral ? depth : 0;
    }

    /**
     * The JSON answer; {@code topics} null when the topic asked for does not exist, which nsqd
     * answers with {@code "topics":null} and {@code "producers":null}.
     */
    Map<String, Object> json(List<TopicStats> topics, boolean includeMem) {
        Map<String, List<ClientActivity>> consumers = consumersByChannel();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("health", "OK");
        out.put("start_time", startTime);
        List<Object> list = topics == null ? null : new ArrayList<>();
        for (TopicStats t : topics == null ? List.<TopicStats>of() : topics) {
            Map<String, Object> topic = new LinkedHashMap<>();
            topic.put("topic_name", t.name());
            List<Object> channels = new ArrayList<>();
            long topicDepth = t.depth();
            for (ChannelStats c : t.channels()) {
                Map<String, Object> ch = new LinkedHashMap<>();
                ch.put("channel_name", c.name());
                ch.put("depth", c.depth());
                ch.put("backend_depth", backendDepth(c.depth(), c.ephemeral()));
                ch.put("in_flight_count", c.inFlight());
                ch.put("deferred_count", c.deferred());
                ch.put("message_count", c.messageCount());
                ch.put("requeue_count", c.requeueCount());
                ch.put("timeout_count", c.timeoutCount());
                ch.put("client_count", c.consumers());
                ch.put(
                        "clients",
                        clients == null
                                ? null
                                : consumers
                                        .getOrDefault(ClientRegistry.channelKey(t.name(), c.name()), List.of())
                                        .stream()
                                        .map(a -> a.json(topicFilter))
                                        .toList());
                ch.put("paused", c.paused());
                ch.put("e2e_processing_latency", latency());
                if (c.deadLetter().enabled() || c.deadLetterCount() > 0) {
                    // Ferry's own fields, only on channels with a dead-letter policy
                    ch.put("dead_letter_max_attempts", c.deadLetter().maxAttempts());
                    ch.put(
                            "dead_letter_topic",
                            c.deadLetter().enabled() ? c.deadLetter().topicFor(t.name()) : null);
                    ch.put("dead_letter_count", c.deadLetterCount());
                }
                if (c.recovery().any()) {
                    ch.put("recovery", recovery(c.recovery()));
                }
                channels.add(ch);
            }
            topic.put("channels", channels);
            topic.put("depth", topicDepth);
            topic.put("backend_depth", backendDepth(topicDepth, t.ephemeral()));
            topic.put("message_count", t.messageCount());
            topic.put("message_bytes", t.messageBytes());
            topic.put("paused", t.paused());
            topic.put("e2e_processing_latency", latency());
            if (t.recovery().any()) {
                topic.put("recovery", recovery(t.recovery()));
            }
            list.add(topic);
        }
        out.put("topics", list);
        if (includeMem) {
            out.put("memory", memory());
        }
        // as nsqd: null rather than an empty list when there is none
        List<ClientActivity> producers = topics == null ? List.of() : producers();
        out.put(
                "producers",
                producers.isEmpty()
                        ? null
                        : producers.stream().map(a -> a.json(topicFilter)).toList());
        return out;
    }

    private Map<String, List<ClientActivity>> consumersByChannel() {
        return clients == null ? Map.of() : clients.consumersByChannel();
    }

    private List<ClientActivity> producers() {
        if (clients == null) {
            return List.of();
        }
        return clients.producers();
    }

    private static Map<String, Object> memory() {
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("heap_objects", 0L);
        mem.put("heap_idle_bytes", rt.freeMemory());
        mem.put("heap_in_use_bytes", rt.totalMemory() - rt.freeMemory());
        mem.put("heap_released_bytes", 0L);
        mem.put("gc_pause_usec_100", 0L);
        mem.put("gc_pause_usec_99", 0L);
        mem.put("gc_pause_usec_95", 0L);
        mem.put("next_gc_bytes", 0L);
        long runs = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            runs += Math.max(0, gc.getCollectionCount());
        }
        mem.put("gc_total_runs", runs);
        return mem;
    }

    /**
     * Ferry's own field, only on topics and channels whose files recovery found damaged: what was
     * skipped, kept and quarantined.
     */
    private static Map<String, Object> recovery(RecoveryStats r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("damaged_stretches", r.damagedStretches());
        out.put("records_lost", r.recordsLost());
        out.put("records_kept", r.recordsKept());
        out.put("bytes_quarantined", r.bytesQuarantined());
        out.put("torn_bytes_cut", r.tornBytesCut());
        return out;
    }

    /** The text line for {@link #recovery(RecoveryStats)}. */
    private static String recoveryLine(String indent, RecoveryStats r) {
        return String.format(
                "%srecovery: damaged: %d lost: %d kept: %d quarantined-bytes: %d torn-bytes: %d%n",
                indent, r.damagedStretches(), r.recordsLost(), r.recordsKept(), r.bytesQuarantined(), r.tornBytesCut());
    }

    private static Map<String, Object> latency() {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("count", 0);
        l.put("percentiles", null);
        return l;
    }

    /** The plain text form, laid out as nsqd prints it; {@code topics} as for {@link #json}. */
    String text(List<TopicStats> found, boolean includeMem) {
        List<TopicStats> topics = found == null ? List.of() : found;
        Map<String, List<ClientActivity>> consumers = consumersByChannel();
        StringBuilder out = new StringBuilder();
        out.append("nsqd v").append(version).append(" (built with Ferry)\n");
        out.append("start_time ")
                .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                        Instant.ofEpochSecond(startTime).atOffset(ZoneOffset.UTC)))
                .append('\n');
        out.append("uptime ")
                .append(ClientActivity.goSeconds(Math.max(0, now - startTime)))
                .append('\n');
        out.append("\nHealth: OK\n");
        if (includeMem) {
            out.append("\nMemory:\n");
            memory().forEach((k, v) -> out.append(String.format("   %-25s\t%d%n", k, (Long) v)));
        }
        out.append(topics.isEmpty() ? "\nTopics: None\n" : "\nTopics:");
        for (TopicStats t : topics) {
            out.append(String.format(
                    "%n%s[%-15s] depth: %-5d be-depth: %-5d msgs: %-8d e2e%%: %n",
                    t.paused() ? "*P " : "   ",
                    t.name(),
                    t.depth(),
                    backendDepth(t.depth(), t.ephemeral()),
                    t.messageCount()));
            if (t.recovery().any()) {
                out.append(recoveryLine("      ", t.recovery()));
            }
            for (ChannelStats c : t.channels()) {
                out.append(String.format(
                        "%s[%-25s] depth: %-5d be-depth: %-5d inflt: %-4d def: %-4d re-q: %-5d timeout: %-5d"
                                + " msgs: %-8d e2e%%: %n",
                        c.paused() ? "   *P " : "      ",
                        c.name(),
                        c.depth(),
                        backendDepth(c.depth(), c.ephemeral()),
                        c.inFlight(),
                        c.deferred(),
                        c.requeueCount(),
                        c.timeoutCount(),
                        c.messageCount()));
                if (c.recovery().any()) {
                    out.append(recoveryLine("         ", c.recovery()));
                }
                if (clients != null) {
                    for (ClientActivity client :
                            consumers.getOrDefault(ClientRegistry.channelKey(t.name(), c.name()), List.of())) {
                        out.append("        ")
                                .append(client.text(now, topicFilter))
                                .append('\n');
                    }
                }
            }
        }
        List<ClientActivity> producers = found == null ? List.of() : producers();
        if (producers.isEmpty()) {
            out.append("\nProducers: None\n");
        } else {
            out.append("\nProducers:\n");
            for (ClientActivity p : producers) {
                out.append("   ").append(p.text(now, topicFilter)).append('\n');
            }
        }
        return out.toString();
    }
}
