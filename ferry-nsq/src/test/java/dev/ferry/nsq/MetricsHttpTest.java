package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SyncPolicy;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} over a real broker on loopback: Prometheus' text, as a scraper reads it. */
class MetricsHttpTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalEngine engine;
    private NsqTcpServer tcp;
    private NsqTcpServer api;

    @BeforeEach
    void start() {
        start(EmbeddedEngineConfig.file(dir)
                .syncPolicy(SyncPolicy.ALWAYS)
                .minFreeDiskBytes(0)
                .build());
    }

    private void start(EmbeddedEngineConfig config) {
        engine = LocalEngine.open(config, clock);
        NsqTcpServer.Builder servers =
                NsqTcpServer.builder(engine).options(ServerOptions.defaults().withClock(clock));
        tcp = servers.startTcp("127.0.0.1", 0);
        api = servers.startHttp("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        api.close();
        tcp.close();
        engine.close();
    }

    private HttpResponse<String> request(String method, String path, String body) {
        return http.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                                .method(method, HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .join();
    }

    private String metrics() {
        HttpResponse<String> r = request("GET", "/metrics", "");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of the sample {@code series} (name and labels exactly as written), or NaN when absent. */
    private static double value(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(
                        line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        return Double.NaN;
    }

    /** Every value of {@code label} on the samples of metric {@code name}. */
    private static Set<String> labelValues(String text, String name, String label) {
        Set<String> values = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\b" + label + "=\"([^\"]*)\"")
                .matcher(text);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    @Test
    void shouldServeTopicAndChannelCountersGaugesAndLatencyHistogramsInPrometheusText() throws Exception {
        metrics(); // a scraper is watching: the histograms count from its first scrape
        request("POST", "/channel/create?topic=orders&channel=billing", "");
        for (String body : new String[] {"one", "two", "three"}) {
            assertThat(request("POST", "/pub?topic=orders", body).statusCode()).isEqualTo(200);
        }
        clock.advance(Duration.ofMillis(200)); // the messages wait 200 ms for their first delivery
        try (WireClient consumer = new WireClient(tcp.port())) {
            assertThat(consumer.send("SUB orders billing\nRDY 3\n", null)).isEqualTo("OK");
            String first = consumer.read().messageId();
            String second = consumer.read().messageId();
            consumer.read();
            consumer.write("FIN " + first + "\nFIN " + second + "\n", null);
            await().until(() ->
                    value(metrics(), "ferry_channel_finished_total{channel=\"billing\",topic=\"orders\"}") == 2.0);

            HttpResponse<String> r = request("GET", "/metrics", "");
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            String text = r.body();
            assertThat(value(text, "ferry_topic_messages_total{topic=\"orders\"}"))
                    .isEqualTo(3.0);
            assertThat(value(text, "ferry_topic_message_bytes_total{topic=\"orders\"}"))
                    .isEqualTo(11.0);
            assertThat(value(text, "ferry_channel_messages_total{channel=\"billing\",topic=\"orders\"}"))
                    .isEqualTo(3.0);
            assertThat(value(text, "ferry_channel_delivered_total{channel=\"billing\",topic=\"orders\"}"))
                    .isEqualTo(3.0);
            assertThat(value(text, "ferry_channel_in_flight{channel=\"billing\",topic=\"orders\"}"))
                    .isEqualTo(1.0);
            assertThat(value(text, "ferry_channel_depth{channel=\"billing\",topic=\"orders\"}"))
                    .isEqualTo(0.0);
            assertThat(value(text, "ferry_channel_consumers{channel=\"billing\",topic=\"orders\"}"))
                    .isEqualTo(1.0);
            assertThat(value(text, "ferry_channel_paused{channel=\"billing\",topic=\"orders\"}"))
                    .isEqualTo(0.0);
            // publish to first delivery: 200 ms on the test's clock, for each of the three
            assertThat(value(text, "ferry_delivery_latency_seconds_bucket{le=\"0.1\"}"))
                    .isEqualTo(0.0);
            assertThat(value(text, "ferry_delivery_latency_seconds_bucket{le=\"0.25\"}"))
                    .isEqualTo(3.0);
            assertThat(value(text, "ferry_delivery_latency_seconds_count")).isEqualTo(3.0);
            assertThat(value(text, "ferry_delivery_latency_seconds_sum")).isEqualTo(0.6);
            // the engine wrote each publish and forced it to disk before answering
            assertThat(value(text, "ferry_engine_write_seconds_count")).isEqualTo(3.0);
            assertThat(value(text, "ferry_engine_fsync_seconds_count")).isGreaterThanOrEqualTo(1.0);
            assertThat(value(text, "ferry_engine_fsync_seconds_bucket{le=\"+Inf\"}"))
                    .isEqualTo(value(text, "ferry_engine_fsync_seconds_count"));
            assertThat(value(text, "ferry_connections{kind=\"tcp\"}")).isEqualTo(1.0);
            assertThat(value(text, "ferry_connections{kind=\"http\"}")).isGreaterThanOrEqualTo(1.0);
            assertThat(value(text, "ferry_engine_stored_bytes")).isGreaterThanOrEqualTo(11.0);
            assertThat(value(text, "ferry_disk_free_bytes")).isPositive();
            assertThat(text)
                    .contains("# TYPE ferry_delivery_latency_seconds histogram")
                    .contains("# TYPE ferry_topic_messages_total counter")
                    .contains("# TYPE ferry_channel_depth gauge")
                    .contains("jvm_memory_used_bytes{")
                    .contains("jvm_gc_")
                    .contains("process_uptime_seconds")
                    .contains("process_cpu_usage");
        }
    }

    @Test
    void shouldKeepTheLabelsBoundedUnderThousandsOfReplyAndEphemeralTopics() {
        stop();
        start(EmbeddedEngineConfig.memory().build()); // thousands of topics on disk would only be slower
        request("POST", "/pub?topic=orders", "x");
        for (int i = 0; i < 2000; i++) {
            engine.createChannel("ferry-reply-" + i, "c").toCompletableFuture().join();
            engine.createTopic("session-" + i + "#ephemeral")
                    .toCompletableFuture()
                    .join();
        }

        String text = metrics();

        assertThat(labelValues(text, "ferry_topic_messages_total", "topic"))
                .containsExactly("_ephemeral", "_reply", "orders");
        assertThat(value(text, "ferry_topics{topic=\"_reply\"}")).isEqualTo(2000.0);
        assertThat(value(text, "ferry_topics{topic=\"_ephemeral\"}")).isEqualTo(2000.0);
        assertThat(labelValues(text, "ferry_channel_depth", "topic")).containsExactly("_reply");
        assertThat(labelValues(text, "ferry_channel_depth", "channel")).containsExactly("_reply");
        assertThat(text.lines().count()).as("series in all").isLessThan(1000);
    }

    @Test
    void shouldDropTheSeriesOfADeletedTopic() {
        request("POST", "/topic/create?topic=gone", "");
        request("POST", "/channel/create?topic=gone&channel=c", "");
        request("POST", "/pub?topic=kept", "x");
        assertThat(labelValues(metrics(), "ferry_topic_depth", "topic")).containsExactly("gone", "kept");

        assertThat(request("POST", "/topic/delete?topic=gone", "").statusCode()).isEqualTo(200);

        String text = metrics();
        assertThat(labelValues(text, "ferry_topic_depth", "topic")).containsExactly("kept");
        assertThat(labelValues(text, "ferry_channel_depth", "topic")).isEmpty();
    }
}
