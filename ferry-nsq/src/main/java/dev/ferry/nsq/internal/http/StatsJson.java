package dev.ferry.nsq.internal.http;

import dev.ferry.ChannelStats;
import dev.ferry.TopicStats;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /stats} in nsqd 1.3's JSON shape and text form, from the engine's statistics. */
final class StatsJson {
    private StatsJson() {}

    static Map<String, Object> json(List<TopicStats> topics, String version, long startTime, boolean includeMem) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("health", "OK");
        out.put("start_time", startTime);
        List<Object> list = new ArrayList<>();
        for (TopicStats t : topics) {
            Map<String, Object> topic = new LinkedHashMap<>();
            topic.put("topic_name", t.name());
            List<Object> channels = new ArrayList<>();
            long topicDepth = t.depth();
            for (ChannelStats c : t.channels()) {
                Map<String, Object> ch = new LinkedHashMap<>();
                ch.put("channel_name", c.name());
                ch.put("depth", c.depth());
                ch.put("backend_depth", c.ephemeral() ? 0 : c.depth());
                ch.put("in_flight_count", c.inFlight());
                ch.put("deferred_count", c.deferred());
                ch.put("message_count", c.messageCount());
                ch.put("requeue_count", c.requeueCount());
                ch.put("timeout_count", c.timeoutCount());
                ch.put("client_count", c.consumers());
                ch.put("paused", c.paused());
                ch.put("clients", List.of());
                ch.put("e2e_processing_latency", latency());
                channels.add(ch);
            }
            topic.put("channels", channels);
            topic.put("depth", topicDepth);
            topic.put("backend_depth", t.ephemeral() ? 0 : topicDepth);
            topic.put("message_count", t.messageCount());
            topic.put("message_bytes", t.messageBytes());
            topic.put("paused", t.paused());
            topic.put("e2e_processing_latency", latency());
            list.add(topic);
        }
        out.put("topics", list);
        if (includeMem) {
            Runtime rt = Runtime.getRuntime();
            Map<String, Object> mem = new LinkedHashMap<>();
            mem.put("heap_objects", 0);
            mem.put("heap_idle_bytes", rt.freeMemory());
            mem.put("heap_in_use_bytes", rt.totalMemory() - rt.freeMemory());
            mem.put("heap_released_bytes", 0);
            mem.put("gc_pause_usec_100", 0);
            mem.put("gc_pause_usec_99", 0);
            mem.put("gc_pause_usec_95", 0);
            mem.put("next_gc_bytes", 0);
            long runs = 0;
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                runs += Math.max(0, gc.getCollectionCount());
            }
            mem.put("gc_total_runs", runs);
            out.put("memory", mem);
        }
        out.put("producers", null);
        return out;
    }

    private static Map<String, Object> latency() {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("count", 0);
        l.put("percentiles", null);
        return l;
    }

    /** The plain text form, close to nsqd's. */
    static String text(List<TopicStats> topics, String version, long startTime) {
        StringBuilder out = new StringBuilder();
        out.append("nsqd v").append(version).append(" (built with Ferry)\n");
        out.append("start_time ").append(startTime).append("\n");
        out.append("\nHealth: OK\n");
        if (topics.isEmpty()) {
            out.append("\nNO_TOPICS\n");
            return out.toString();
        }
        for (TopicStats t : topics) {
            out.append(String.format(
                    "%n[%-15s] depth: %-5d be-depth: %-5d msgs: %-8d e2e%%: %n",
                    t.name(), t.depth(), t.depth(), t.messageCount()));
            for (ChannelStats c : t.channels()) {
                out.append(String.format(
                        "    [%-15s] depth: %-5d be-depth: %-5d inflt: %-4d def: %-4d re-q: %-5d timeout: %-5d"
                                + " msgs: %-8d e2e%%: %n",
                        c.name(),
                        c.depth(),
                        c.depth(),
                        c.inFlight(),
                        c.deferred(),
                        c.requeueCount(),
                        c.timeoutCount(),
                        c.messageCount()));
            }
        }
        return out.toString();
    }
}
