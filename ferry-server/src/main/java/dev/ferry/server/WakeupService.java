package dev.ferry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Starts on-demand consumers: reads the broker's {@code /stats} and, for each channel that has
 * messages ready and no consumer connected, connects to that channel's socket, which makes systemd
 * (or {@code systemd-socket-activate}) start the consumer behind it. It never consumes a message.
 *
 * <p>The socket of a channel comes from a template with {@code {topic}} and {@code {channel}} in it
 * (channel names repeat across topics, so both are needed). A socket is woken at most once per
 * {@code minInterval}; a channel without a socket file is skipped and reported once.
 *
 * <p>Not thread-safe: one thread calls {@link #poll()}.
 */
final class WakeupService {
    /** What one poll did to one channel. */
    record Wakeup(String topic, String channel, long depth, Path socket, String error) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> statsUris;
    private final String socketTemplate;
    private final Duration minInterval;
    private final Clock clock;
    private final Consumer<String> log;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<Path, Long> lastWoken = new HashMap<>();
    private final Set<Path> reportedMissing = new HashSet<>();

    /**
     * @param httpAddresses the brokers' HTTP addresses ({@code host:port})
     * @param socketTemplate the socket path with {@code {topic}} and {@code {channel}}
     * @param minInterval the least time between two wakeups of one socket
     * @param log where to say whom it woke and why
     */
    WakeupService(
            List<String> httpAddresses,
            String socketTemplate,
            Duration minInterval,
            Clock clock,
            Consumer<String> log) {
        this.statsUris = httpAddresses.stream()
                .map(a -> URI.create("http://" + a + "/stats?format=json&include_clients=false&include_mem=false"))
                .toList();
        this.socketTemplate = socketTemplate;
        this.minInterval = minInterval;
        this.clock = clock;
        this.log = log;
    }

    /** The socket of {@code topic}/{@code channel}. */
    Path socketOf(String topic, String channel) {
        return Path.of(socketTemplate.replace("{topic}", topic).replace("{channel}", channel));
    }

    /** Reads every broker's stats once and wakes the consumers that have work and are not running. */
    List<Wakeup> poll() {
        Map<String, long[]> channels = new HashMap<>();
        for (URI uri : statsUris) {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    log.accept("wakeup: " + uri.getAuthority() + " answered /stats with " + response.statusCode());
                    continue;
                }
                collect(JSON.readTree(response.body()), channels);
            } catch (IOException e) {
                log.accept("wakeup: cannot read /stats of " + uri.getAuthority() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        List<Wakeup> woken = new ArrayList<>();
        channels.forEach((key, counts) -> {
            // summed over the brokers: a consumer connected to any of them drains that broker only,
            // but it is running and will find the others through lookupd
            if (counts[0] > 0 && counts[1] == 0) {
                String[] names = key.split("\u0000", 2);
                Wakeup w = wake(names[0], names[1], counts[0]);
                if (w != null) {
                    woken.add(w);
                }
            }
        });
        return woken;
    }

    /** Adds each unpaused channel's depth and client count, keyed by topic and channel. */
    private static void collect(JsonNode stats, Map<String, long[]> channels) {
        for (JsonNode topic : stats.path("topics")) {
            for (JsonNode channel : topic.path("channels")) {
                if (channel.path("paused").asBoolean(false)) {
                    continue;
                }
                long[] counts = channels.computeIfAbsent(
                        topic.path("topic_name").asText() + "\u0000"
                                + channel.path("channel_name").asText(),
                        k -> new long[2]);
                counts[0] += channel.path("depth").asLong();
                counts[1] += channel.path("client_count").asLong();
            }
        }
    }

    private Wakeup wake(String topic, String channel, long depth) {
        Path socket = socketOf(topic, channel);
        if (!Files.exists(socket)) {
            if (reportedMissing.add(socket)) {
                log.accept("wakeup: " + topic + "/" + channel + " has " + depth + " messages and no consumer, but "
                        + socket + " does not exist; skipping it");
            }
            return null;
        }
        reportedMissing.remove(socket);
        long now = clock.millis();
        Long last = lastWoken.get(socket);
        if (last != null && now - last < minInterval.toMillis()) {
            return null;
        }
        lastWoken.put(socket, now);
        String error = null;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        log.accept(
                error == null
                        ? "wakeup: woke " + socket + ": " + topic + "/" + channel + " has " + depth
                                + " messages and no consumer"
                        : "wakeup: could not connect to " + socket + " for " + topic + "/" + channel + ": " + error);
        return new Wakeup(topic, channel, depth, socket, error);
    }
}
