package dev.ferry.nsq.internal.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryException;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.NotSupportedException;
import dev.ferry.spi.QueueStateStore;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link QueueStateStore} over a Ferry broker's {@code /queue/*} HTTP endpoints (see {@code
 * QueueStateRoutes} in ferry-nsq's server side). All state of one queue lives on one broker: the
 * one its name hashes to among the known brokers' HTTP addresses, sorted, so every client of the
 * same brokers picks the same one.
 *
 * <p>Leases: an attachment asked for "until detached" ({@link Duration#ZERO}) is made with a lease
 * of {@link #LEASE} and renewed every third of it on the bus's timer for as long as it is held, so
 * the broker drops the attachments of a client that dies without detaching one lease later.
 *
 * <p>Errors: a broker answering 404 is a plain nsqd (or an older Ferry) without these endpoints:
 * the call fails with a {@link NotSupportedException} naming it. Thread-safe; every call blocks up
 * to the response timeout.
 */
final class HttpQueueStates implements QueueStateStore {
    private static final Logger log = LoggerFactory.getLogger(HttpQueueStates.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration LEASE = Duration.ofSeconds(60);

    private final HttpAdmin admin;
    /** Attachments this client holds until detached, renewed by the timer: "queue\0id" -> ttl ms. */
    private final Map<String, Long> held = new ConcurrentHashMap<>();

    HttpQueueStates(HttpAdmin admin, ClientTimer timer) {
        this.admin = admin;
        timer.everyBlocking(LEASE.dividedBy(3), this::renew);
    }

    private String broker(String call, String queue) {
        List<String> brokers = new ArrayList<>(admin.brokers("BusQueue " + call));
        brokers.sort(null);
        return brokers.get(Math.floorMod(queue.hashCode(), brokers.size()));
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private JsonNode call(String call, String queue, String method, String path, String query, byte[] body) {
        Names.checkTopic(queue);
        String address = broker(call, queue);
        String pathAndQuery = path + "?queue=" + q(queue) + query;
        HttpResponse<byte[]> response = admin.call(address, method, pathAndQuery, body);
        if (response.statusCode() == 404) {
            throw new NotSupportedException("BusQueue " + call + " on queue '" + queue + "': the broker at " + address
                    + " answered 404 to " + method + " " + path
                    + "; nsqd has no such endpoint (queue state needs a Ferry broker, ferry server)");
        }
        if (response.statusCode() != 200) {
            throw new FerryException("BusQueue " + call + " on queue '" + queue + "': the broker at " + address
                    + " answered " + method + " " + path + " with " + response.statusCode() + " "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new FerryException(
                    "BusQueue " + call + ": the broker at " + address + " answered " + path + " with bad JSON: " + e,
                    e);
        }
    }

    @Override
    public boolean attach(String queue, String attachment, Duration ttl, Duration lease) {
        Objects.requireNonNull(attachment, "attachment");
        boolean renewed = lease.isZero();
        JsonNode out = post(queue, attachment, ttl.toMillis(), renewed ? LEASE : lease);
        if (renewed) {
            held.put(queue + '\0' + attachment, ttl.toMillis());
        }
        return out.path("existed").asBoolean();
    }

    private JsonNode post(String queue, String attachment, long ttlMillis, Duration lease) {
        return call(
                "attach",
                queue,
                "POST",
                "/queue/attach",
                "&attachment=" + q(attachment) + "&ttl_ms=" + ttlMillis + "&lease_ms=" + lease.toMillis(),
                null);
    }

    /** Renews every attachment held until detached (the timer's task). */
    void renew() {
        held.forEach((key, ttl) -> {
            int sep = key.indexOf('\0');
            String queue = key.substring(0, sep);
            try {
                post(queue, key.substring(sep + 1), ttl, LEASE);
            } catch (RuntimeException e) {
                log.warn("queue {}: renewing this client's attachment failed: {}", queue, e.toString());
            }
        });
    }

    @Override
    public boolean detach(String queue, String attachment) {
        held.remove(queue + '\0' + attachment);
        return call("detach", queue, "POST", "/queue/detach", "&attachment=" + q(attachment), null)
                .path("detached")
                .asBoolean();
    }

    @Override
    public Optional<QueueState> state(String queue) {
        JsonNode out = call("state", queue, "GET", "/queue/state", "", null);
        if (!out.path("exists").asBoolean()) {
            return Optional.empty();
        }
        Map<String, String> metadata = new HashMap<>();
        out.path("metadata")
                .properties()
                .forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
        return Optional.of(new QueueState(
                queue,
                Duration.ofMillis(out.path("ttl_ms").asLong()),
                out.path("attachments").asInt(),
                metadata));
    }

    @Override
    public void setMetadata(String queue, String key, String value) {
        Objects.requireNonNull(key, "key");
        String query = "&key=" + q(key) + (value == null ? "&remove=true" : "");
        byte[] body = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        JsonNode out = call("metadata", queue, "POST", "/queue/metadata", query, body);
        if (!out.path("exists").asBoolean()) {
            throw new NotFoundException("queue '" + queue + "' does not exist (never attached, expired or destroyed)");
        }
    }

    @Override
    public boolean destroy(String queue) {
        held.keySet().removeIf(k -> k.startsWith(queue + '\0'));
        return call("destroy", queue, "POST", "/queue/destroy", "", null)
                .path("existed")
                .asBoolean();
    }
}
