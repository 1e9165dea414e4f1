package dev.ferry.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.ferry.Message;
import dev.ferry.MessageHandler;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Dispatches JSON messages to handlers by the values of a key and a subkey, as a SIP proxy's event
 * routes do: a message whose {@code Event-Type} is {@code presence} and {@code Event-Name} is
 * {@code update} runs the route {@code presence-update} when one is registered, else the route
 * {@code presence}, else the fallback. Use it as the handler of a subscription:
 *
 * <pre>{@code
 * EventRouter router = EventRouter.builder()
 *         .on("presence-update", (message, event) -> refresh(event))
 *         .on("presence", (message, event) -> log(event))
 *         .fallback((message, event) -> log.debug("no route for {}", event))
 *         .build();
 * bus.subscribe("events", "proxy-1", router);
 * }</pre>
 *
 * <h2>Matching</h2>
 *
 * <ul>
 *   <li>The key and subkey are top-level fields of the body (defaults {@code Event-Type} and
 *       {@code Event-Name}); their values are taken as text, numbers and booleans by their JSON text
 *       ({@code 42}, {@code true}).
 *   <li>Route names and values compare case-insensitively with {@code _} and {@code -} equal
 *       ({@code Presence_Update} registers the same route as {@code presence-update}).
 *   <li>The most specific registered route runs: {@code <value>-<subvalue>}, then {@code <value>}.
 *       A missing (or {@code null} or empty) subkey counts as empty, so {@code <value>} runs.
 *   <li>The fallback runs when the key is missing, {@code null} or empty, when the body is not a
 *       JSON object, or when no route matches. The default fallback does nothing, so the message is
 *       finished.
 * </ul>
 *
 * <h2>Outcome</h2>
 *
 * Routes are synchronous, as a {@link MessageHandler} is: when the chosen route returns, the message
 * is finished (under the subscription's ack mode); when it throws, the message is requeued with
 * backoff. A route may still respond itself or take control of the message (see {@link Message}).
 *
 * <p>Immutable and thread-safe once built; the body is parsed once per message and handed to the
 * route as a Jackson tree, which the route must not modify.
 */
public final class EventRouter implements MessageHandler {
    /** The default key: {@code Event-Type}. */
    public static final String DEFAULT_KEY = "Event-Type";

    /** The default subkey: {@code Event-Name}. */
    public static final String DEFAULT_SUBKEY = "Event-Name";

    private final String key;
    private final String subkey;
    private final Map<String, Handler> routes;
    private final Handler fallback;

    private EventRouter(Builder b) {
        this.key = b.key;
        this.subkey = b.subkey;
        this.routes = Map.copyOf(b.routes);
        this.fallback = b.fallback;
    }

    /** A builder with the default key and subkey, no routes and a fallback that does nothing. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A route's handler: {@code (message, event) -> refresh(event)}.
     *
     * <p>Called on the subscription's handler threads, as a {@link MessageHandler} is.
     */
    @FunctionalInterface
    public interface Handler {
        /**
         * Handles one message: returning finishes it, throwing requeues it.
         *
         * @param message the message, to respond to or inspect
         * @param event the parsed body: a JSON object, or a {@link MissingNode} when the body is not a
         *     JSON object (only the fallback can see that)
         * @throws Exception to requeue the message
         */
        void handle(Message message, JsonNode event) throws Exception;
    }

    /** Runs the route the message's body selects, or the fallback (see Matching above). */
    @Override
    public void handle(Message message) throws Exception {
        Optional<JsonNode> event = Json.object(message.body());
        if (event.isEmpty()) {
            fallback.handle(message, MissingNode.getInstance());
            return;
        }
        String route = routeOf(event.get());
        Handler handler = route == null ? fallback : routes.get(route);
        handler.handle(message, event.get());
    }

    /**
     * The registered route that a body selects, or empty when the fallback would run. Does not run
     * anything; meant for diagnostics and tests.
     */
    public Optional<String> routeFor(byte[] body) {
        return Json.object(Objects.requireNonNull(body, "body")).map(this::routeOf);
    }

    private String routeOf(JsonNode event) {
        String value = field(event, key);
        if (value.isEmpty()) {
            return null;
        }
        String sub = field(event, subkey);
        if (!sub.isEmpty()) {
            String specific = value + "-" + sub;
            if (routes.containsKey(specific)) {
                return specific;
            }
        }
        return routes.containsKey(value) ? value : null;
    }

    private static String field(JsonNode event, String name) {
        JsonNode value = event.get(name);
        if (value == null || value.isNull()) {
            return "";
        }
        return normalize(Json.text(value));
    }

    /** Lower-cases (locale-independently) and makes {@code _} and {@code -} the same. */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The key field, e.g. {@code Event-Type}. */
    public String key() {
        return key;
    }

    /** The subkey field, e.g. {@code Event-Name}. */
    public String subkey() {
        return subkey;
    }

    /** Collects the routes. Not thread-safe; {@link #build()} makes an immutable router. */
    public static final class Builder {
        private String key = DEFAULT_KEY;
        private String subkey = DEFAULT_SUBKEY;
        private final Map<String, Handler> routes = new HashMap<>();
        private Handler fallback = (message, event) -> {};

        private Builder() {}

        /** Sets the field whose value names the route (default {@code Event-Type}). */
        public Builder key(String value) {
            this.key = nonEmpty("key", value);
            return this;
        }

        /** Sets the field whose value refines the route (default {@code Event-Name}). */
        public Builder subkey(String value) {
            this.subkey = nonEmpty("subkey", value);
            return this;
        }

        /**
         * Registers the route {@code name}: a key value ({@code presence}) or a key value and a
         * subkey value joined by {@code -} ({@code presence-update}).
         *
         * @throws IllegalArgumentException when the name is empty or already registered (after
         *     normalising case and {@code _})
         */
        public Builder on(String name, Handler handler) {
            Objects.requireNonNull(handler, "handler");
            String route = normalize(nonEmpty("route name", name));
            if (routes.putIfAbsent(route, handler) != null) {
                throw new IllegalArgumentException(
                        "route '" + name + "' is already registered (as '" + route + "'; case and _ do not count)");
            }
            return this;
        }

        /** Registers the route for a key value and a subkey value: {@code on(value + "-" + subvalue, ...)}. */
        public Builder on(String value, String subvalue, Handler handler) {
            return on(nonEmpty("value", value) + "-" + nonEmpty("subvalue", subvalue), handler);
        }

        /** Registers a route from a plain message handler, which does not need the parsed body. */
        public Builder on(String name, MessageHandler handler) {
            Objects.requireNonNull(handler, "handler");
            return on(name, (message, event) -> handler.handle(message));
        }

        /** Sets the handler for messages no route takes (default: do nothing, so finish them). */
        public Builder fallback(Handler handler) {
            this.fallback = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Builds the router. */
        public EventRouter build() {
            return new EventRouter(this);
        }

        private static String nonEmpty(String what, String value) {
            Objects.requireNonNull(value, what);
            if (value.isEmpty()) {
                throw new IllegalArgumentException(what + " must not be empty");
            }
            return value;
        }
    }
}
