package dev.ferry.nsq.internal.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one client connection is and has done, as nsqd's {@code /stats} shows it per client.
 *
 * <p>Written only by the connection's event loop, read by any thread: every field is volatile, so a
 * reader sees recent values, though not an atomic snapshot of all of them (nsqd gives no more).
 */
public final class ClientActivity {
    /** nsqd's client state numbers, as {@code /stats} reports them. */
    static final int STATE_INIT = 0;

    static final int STATE_SUBSCRIBED = 3;
    static final int STATE_CLOSING = 4;

    private final String remoteAddress;
    private final long connectTime;
    private final Map<String, LongAdder> published = new ConcurrentHashMap<>();

    volatile String clientId = "";
    volatile String hostname = "";
    volatile String userAgent = "";
    volatile int state = STATE_INIT;
    volatile String topic;
    volatile String channel;
    volatile long readyCount;
    volatile int inFlightCount;
    volatile long messageCount;
    volatile long finishCount;
    volatile long requeueCount;
    volatile int sampleRate;
    volatile boolean deflate;
    volatile boolean snappy;
    volatile boolean tls;
    volatile String tlsCipherSuite = "";
    volatile String tlsVersion = "";
    volatile boolean authed;
    volatile String authIdentity = "";
    volatile String authIdentityUrl = "";

    /** A client connected from {@code remoteAddress} ({@code host:port}) at {@code connectTime} (Unix seconds). */
    ClientActivity(String remoteAddress, long connectTime) {
        this.remoteAddress = remoteAddress;
        this.connectTime = connectTime;
    }

    long connectTime() {
        return connectTime;
    }

    void published(String topicName, int count) {
        published.computeIfAbsent(topicName, t -> new LongAdder()).add(count);
    }

    /** True once the client has published: nsqd then lists it among the producers. */
    public boolean isProducer() {
        return !published.isEmpty();
    }

    /**
     * This client in nsqd 1.3's JSON shape; {@code topicFilter} (null: all) limits the publish
     * counts to one topic.
     */
    public Map<String, Object> json(String topicFilter) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("client_id", clientId);
        out.put("hostname", hostname);
        out.put("version", "V2");
        out.put("remote_address", remoteAddress);
        out.put("state", state);
        out.put("ready_count", readyCount);
        out.put("in_flight_count", inFlightCount);
        out.put("message_count", messageCount);
        out.put("finish_count", finishCount);
        out.put("requeue_count", requeueCount);
        out.put("connect_ts", connectTime);
        out.put("sample_rate", sampleRate);
        out.put("deflate", deflate);
        out.put("snappy", snappy);
        out.put("user_agent", userAgent);
        if (authed) {
            out.put("authed", true);
            putIfNotEmpty(out, "auth_identity", authIdentity);
            putIfNotEmpty(out, "auth_identity_url", authIdentityUrl);
        }
        List<Map<String, Object>> counts = pubCounts(topicFilter);
        if (!counts.isEmpty()) {
            out.put("pub_counts", counts);
        }
        out.put("tls", tls);
        out.put("tls_cipher_suite", tls ? tlsCipherSuite : "");
        out.put("tls_version", tls ? tlsVersion : "");
        out.put("tls_negotiated_protocol", "");
        // Go reports true whenever there is TLS: the field is deprecated there and always true
        out.put("tls_negotiated_protocol_is_mutual", tls);
        return out;
    }

    private static void putIfNotEmpty(Map<String, Object> out, String key, String value) {
        if (value != null && !value.isEmpty()) {
            out.put(key, value);
        }
    }

    private List<Map<String, Object>> pubCounts(String topicFilter) {
        List<Map<String, Object>> counts = new ArrayList<>();
        published.entrySet().stream()
                .filter(e -> topicFilter == null || e.getKey().equals(topicFilter))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    Map<String, Object> count = new LinkedHashMap<>();
                    count.put("topic", e.getKey());
                    count.put("count", e.getValue().sum());
                    counts.add(count);
                });
        return counts;
    }

    /** One line for the text form of {@code /stats}, as nsqd prints a producer or a consumer. */
    public String text(long nowSeconds, String topicFilter) {
        String port = remoteAddress.substring(remoteAddress.lastIndexOf(':') + 1);
        String id = hostname + ":" + port + " " + userAgent;
        String connected = goSeconds(Math.max(0, nowSeconds - connectTime));
        List<Map<String, Object>> counts = pubCounts(topicFilter);
        if (!counts.isEmpty()) {
            long total = 0;
            List<String> topics = new ArrayList<>();
            for (Map<String, Object> c : counts) {
                total += (Long) c.get("count");
                topics.add(c.get("topic") + "=" + c.get("count"));
            }
            return String.format(
                    "[V2 %-21s] msgs: %-8d topics: %s connected: %s", id, total, String.join(",", topics), connected);
        }
        return String.format(
                "[V2 %-21s] state: %d inflt: %-4d rdy: %-4d fin: %-8d re-q: %-8d msgs: %-8d connected: %s",
                id, state, inFlightCount, readyCount, finishCount, requeueCount, messageCount, connected);
    }

    /** Whole seconds as Go prints a duration ({@code 0s}, {@code 42s}, {@code 1m5s}, {@code 2h0m1s}). */
    public static String goSeconds(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return d.toMinutesPart() + "m" + d.toSecondsPart() + "s";
        }
        return d.toHours() + "h" + d.toMinutesPart() + "m" + d.toSecondsPart() + "s";
    }
}
