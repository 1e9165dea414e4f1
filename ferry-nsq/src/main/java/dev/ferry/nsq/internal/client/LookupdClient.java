package dev.ferry.nsq.internal.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every lookupd over HTTP: {@code /lookup?topic=} for a topic's producers, {@code /nodes} for
 * every node. The answer is the union over the lookupds that answered; it fails only when none did.
 * A producer is named by its {@code broadcast_address} and ports, as nsqd registered them.
 * Thread-safe; never blocks (the JDK HTTP client's own threads do the I/O).
 */
final class LookupdClient {
    private static final Logger log = LoggerFactory.getLogger(LookupdClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A node as lookupd lists it: its TCP and HTTP addresses ({@code host:port}). */
    record Node(String tcpAddress, String httpAddress) {}

    private final HttpClient http;
    private final List<String> addresses;
    private final Duration timeout;

    LookupdClient(HttpClient http, List<String> addresses, Duration timeout) {
        this.http = http;
        this.addresses = List.copyOf(addresses);
        this.timeout = timeout;
    }

    /** The TCP addresses of the topic's producers. */
    CompletableFuture<Set<String>> lookup(String topic) {
        String query = "/lookup?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        return ask(query).thenApply(nodes -> {
            Set<String> tcp = new LinkedHashSet<>();
            nodes.forEach(n -> tcp.add(n.tcpAddress()));
            return tcp;
        });
    }

    /** Every node the lookupds know. */
    CompletableFuture<List<Node>> nodes() {
        return ask("/nodes").thenApply(nodes -> new ArrayList<>(new LinkedHashSet<>(nodes)));
    }

    private CompletableFuture<List<Node>> ask(String query) {
        List<CompletableFuture<List<Node>>> answers = new ArrayList<>();
        for (String address : addresses) {
            answers.add(askOne(address, query));
        }
        return CompletableFuture.allOf(
                        answers.stream().map(a -> a.handle((v, e) -> null)).toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    List<Node> all = new ArrayList<>();
                    List<String> errors = new ArrayList<>();
                    for (int i = 0; i < answers.size(); i++) {
                        CompletableFuture<List<Node>> a = answers.get(i);
                        if (a.isCompletedExceptionally()) {
                            errors.add(addresses.get(i) + ": " + a.exceptionNow());
                        } else {
                            all.addAll(a.join());
                        }
                    }
                    if (errors.size() == answers.size()) {
                        throw new FerryException("no lookupd answered " + query + ": " + errors);
                    }
                    if (!errors.isEmpty()) {
                        log.warn("lookupd {} failed: {}", query, errors);
                    }
                    return all;
                });
    }

    private CompletableFuture<List<Node>> askOne(String address, String query) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + query))
                .timeout(timeout)
                .header("Accept", "application/vnd.nsq; version=1.0")
                .GET()
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() == 404) {
                return List.of(); // TOPIC_NOT_FOUND: no producer yet
            }
            if (response.statusCode() != 200) {
                throw new FerryException("lookupd at " + address + " answered " + query + " with HTTP "
                        + response.statusCode() + ": " + new String(response.body(), StandardCharsets.UTF_8));
            }
            try {
                return parse(JSON.readTree(response.body()));
            } catch (IOException e) {
                throw new FerryException("lookupd at " + address + " answered " + query + " with bad JSON: " + e, e);
            }
        });
    }

    private static List<Node> parse(JsonNode root) {
        // nsqlookupd 1.x answers bare; 0.x wrapped the answer in {"status_code","data"}
        JsonNode producers = root.has("data") ? root.path("data").path("producers") : root.path("producers");
        List<Node> nodes = new ArrayList<>();
        for (JsonNode p : producers) {
            String host = p.path("broadcast_address").asText();
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            nodes.add(new Node(
                    h + ":" + p.path("tcp_port").asInt(),
                    h + ":" + p.path("http_port").asInt()));
        }
        return nodes;
    }
}
