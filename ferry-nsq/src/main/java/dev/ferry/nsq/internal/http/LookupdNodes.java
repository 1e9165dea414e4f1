package dev.ferry.nsq.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.nsq.internal.httpapi.HttpResponses;
import io.netty.handler.codec.http.FullHttpResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster as the lookupds see it, for the admin page ({@code GET /admin/nodes}): each lookupd's
 * {@code GET /nodes}, asked at once, answered as {@code {"lookupds":[{"address":A,"error":E}],
 * "producers":[...]}} with the producers of every lookupd that answered, each node once (by its
 * broadcast address and TCP port). A lookupd that does not answer within the timeout is listed with
 * its error; the others still count.
 *
 * <p>With no lookupd addresses the answer is empty and no HTTP client is made. Thread-safe; never
 * blocks: the JDK's client answers on its own threads.
 */
final class LookupdNodes implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> addresses;
    private final Duration timeout;
    private final HttpClient client;

    /** Asks the lookupds at {@code addresses} ({@code host:port} of their HTTP API). */
    LookupdNodes(List<String> addresses, Duration timeout) {
        this.addresses = List.copyOf(addresses);
        this.timeout = timeout;
        this.client = addresses.isEmpty()
                ? null
                : HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** No lookupds. */
    static LookupdNodes none() {
        return new LookupdNodes(List.of(), Duration.ofSeconds(1));
    }

    /** The answer of {@code /admin/nodes}, once every lookupd answered or timed out. */
    CompletableFuture<FullHttpResponse> fetch() {
        List<CompletableFuture<Map<String, Object>>> asks = new ArrayList<>();
        List<Object> producers = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (String address : addresses) {
            asks.add(ask(address).handle((body, e) -> {
                Map<String, Object> lookupd = new LinkedHashMap<>();
                lookupd.put("address", address);
                lookupd.put("error", e == null ? null : reason(e));
                if (body != null) {
                    synchronized (producers) {
                        for (JsonNode p : body.path("producers")) {
                            String key = p.path("broadcast_address").asText() + ":"
                                    + p.path("tcp_port").asInt();
                            if (seen.putIfAbsent(key, true) == null) {
                                producers.add(p);
                            }
                        }
                    }
                }
                return lookupd;
            }));
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("lookupds", asks.stream().map(CompletableFuture::join).toList());
            synchronized (producers) {
                out.put("producers", List.copyOf(producers));
            }
            return HttpResponses.json(out);
        });
    }

    private CompletableFuture<JsonNode> ask(String address) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + "/nodes"))
                .timeout(timeout)
                .header("Accept", "application/vnd.nsq; version=1.0")
                .GET()
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> {
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("answered HTTP " + r.statusCode());
                    }
                    try {
                        JsonNode root = JSON.readTree(r.body());
                        // nsqlookupd 1.x answers the object itself; older ones wrap it in "data"
                        return root.has("data") ? root.get("data") : root;
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("answered something that is not JSON");
                    }
                });
    }

    private static String reason(Throwable e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = cause.getMessage();
        if (cause instanceof java.net.http.HttpTimeoutException) {
            return "did not answer in time";
        }
        if (cause instanceof java.net.ConnectException) {
            return "refused the connection";
        }
        return message == null || message.isEmpty() ? "could not be asked" : message;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
