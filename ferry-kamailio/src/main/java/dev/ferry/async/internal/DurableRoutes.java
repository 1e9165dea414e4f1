package dev.ferry.async.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.AsyncMessageHandler;
import dev.ferry.Bus;
import dev.ferry.FerryException;
import dev.ferry.Message;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.async.AsyncTask;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Timed routes kept on a bus: scheduling publishes a deferred message {@code
 * {"route":..,"group":..,"data":..}} to the topic, and every process subscribed to the topic's
 * {@value #CHANNEL} channel shares the due messages, running each route in a worker and finishing
 * the message when the route returns (requeued with the bus's backoff when it throws, or when this
 * process does not know the route). So scheduled work survives a restart of the bus and may run in
 * another process.
 *
 * <p>Thread-safe. Handlers run on the bus's handler threads and block while the worker group's
 * queue is full; each message then holds its in-flight slot until its route has run.
 */
public final class DurableRoutes implements AutoCloseable {
    /** The channel every worker process consumes. */
    public static final String CHANNEL = "workers";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Bus bus;
    private final String topic;
    private final Subscription subscription;

    /**
     * Schedules through {@code bus}; when {@code dispatch} is not null, also consumes the topic with
     * up to {@code maxInFlight} routes running at once, {@code dispatch} turning a task into its
     * running job's future.
     */
    public DurableRoutes(
            Bus bus, String topic, int maxInFlight, Function<AsyncTask, CompletableFuture<Void>> dispatch) {
        this.bus = bus;
        this.topic = topic;
        this.subscription = dispatch == null
                ? null
                : bus.subscribeAsync(
                        topic, CHANNEL, handler(dispatch), SubscribeOptions.maxInFlight(Math.max(1, maxInFlight)));
    }

    /** Publishes the route to run after {@code delay}; completes when the bus has stored it. */
    public CompletableFuture<Void> schedule(AsyncTask task, Duration delay) {
        ObjectNode body = JSON.createObjectNode()
                .put("route", task.route())
                .put("group", task.group())
                .put("data", task.data());
        try {
            return bus.publishDeferredAsync(topic, JSON.writeValueAsBytes(body), delay);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AsyncMessageHandler handler(Function<AsyncTask, CompletableFuture<Void>> dispatch) {
        return (Message m) -> {
            JsonNode node;
            try {
                node = JSON.readTree(m.body());
            } catch (IOException e) {
                throw new FerryException("durable async message " + m.id() + " is not JSON: " + e.getMessage(), e);
            }
            AsyncTask task = new AsyncTask(
                    node.path("route").asText(""),
                    node.path("group").asText(""),
                    node.path("data").asText(""));
            return dispatch.apply(task); // finished when the route returns, requeued when it throws
        };
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
    }
}
