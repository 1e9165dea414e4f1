package dev.ferry.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.AsyncMessageHandler;
import dev.ferry.Bus;
import dev.ferry.Message;
import dev.ferry.Names;
import dev.ferry.Query;
import dev.ferry.spi.ReplyRouting;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler behind {@link dev.ferry.Bus#respond}: reads a request, skips it when its asker has
 * given up, runs the responder, and publishes the reply with the request's {@code Msg-ID} to its
 * {@code Server-ID} (straight to its {@code Server-Node} when the bus can reach that node).
 *
 * <p>The request is finished once the reply is stored, and requeued with backoff when the
 * responder throws or the reply cannot be published. A request that cannot be answered (not a JSON
 * object, no {@code Msg-ID}, no valid {@code Server-ID}) is logged, counted and finished: retrying
 * would not help. The request holds its in-flight slot until the reply is stored. Thread-safe; runs
 * on the subscription's handler threads.
 */
final class QueryResponder implements AsyncMessageHandler {
    private static final Logger log = LoggerFactory.getLogger(QueryResponder.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final QueryClient counters;
    private final Bus bus;
    private final Clock clock;
    private final ReplyRouting routing;
    private final Query.Responder responder;

    QueryResponder(QueryClient counters, Bus bus, Clock clock, ReplyRouting routing, Query.Responder responder) {
        this.counters = counters;
        this.bus = bus;
        this.clock = clock;
        this.routing = routing;
        this.responder = responder;
    }

    /** A request answered without a reply to publish: finished at once. */
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    @Override
    public CompletionStage<?> handle(Message message) throws Exception {
        JsonNode node;
        try {
            node = JSON.readTree(message.body());
        } catch (IOException e) {
            node = null;
        }
        String msgId = node != null && node.isObject() ? QueryClient.textField(node, Query.MSG_ID) : null;
        String serverId = msgId == null ? null : QueryClient.textField(node, Query.SERVER_ID);
        if (serverId == null || !Names.isValid(serverId)) {
            counters.malformedRequests.increment();
            log.warn(
                    "topic {} channel {}: request {} dropped: not a JSON object with {} and a valid {}",
                    message.topic(),
                    message.channel(),
                    message.id(),
                    Query.MSG_ID,
                    Query.SERVER_ID);
            return DONE;
        }
        JsonNode deadline = node.get(Query.DEADLINE);
        if (deadline != null && deadline.canConvertToLong() && clock.millis() > deadline.asLong()) {
            counters.expiredRequests.increment();
            log.debug("topic {}: request {} skipped: its asker gave up at {}", message.topic(), msgId, deadline);
            return DONE;
        }
        JsonNode reply = responder.respond((ObjectNode) node);
        if (reply == null) {
            return DONE;
        }
        if (!reply.isObject()) {
            throw new IllegalStateException("the responder of topic '"
                    + message.topic()
                    + "' returned a JSON "
                    + reply.getNodeType()
                    + " for request "
                    + msgId
                    + "; a reply must be a JSON object");
        }
        ((ObjectNode) reply).put(Query.MSG_ID, msgId);
        byte[] body = JSON.writeValueAsBytes(reply);
        JsonNode node0 = node.get(Query.SERVER_NODE);
        Optional<CompletableFuture<Void>> direct = node0 != null && node0.isTextual()
                ? routing.publishTo(node0.textValue(), serverId, body)
                : Optional.empty();
        CompletableFuture<Void> stored = direct.orElseGet(() -> bus.publishAsync(serverId, body));
        return stored.thenRun(counters.replied::increment);
    }
}
