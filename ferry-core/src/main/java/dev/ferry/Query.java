package dev.ferry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;

/**
 * Request/reply over topics: the fields a request and its reply carry, the responder's interface
 * and the statistics. The calls themselves are on the bus: {@link Bus#query(String, String)} and
 * {@link Bus#queryAsync} to ask, {@link Bus#respond} to answer.
 *
 * <h2>The exchange</h2>
 *
 * <ol>
 *   <li>The asker publishes a JSON object to the request topic, with {@value #MSG_ID} (a fresh
 *       UUID) and {@value #SERVER_ID} (the asker's reply topic) added unless already present, and
 *       {@value #DEADLINE} set to when it gives up, in milliseconds since the epoch. A bus whose
 *       transport has several nodes also adds {@value #SERVER_NODE}, the address of the node that
 *       holds its reply topic.
 *   <li>A responder (any consumer of the request topic, in any language) publishes its reply, a JSON
 *       object carrying the same {@value #MSG_ID}, to the topic named by {@value #SERVER_ID};
 *       Ferry's responder publishes straight to the {@value #SERVER_NODE} when there is one, and
 *       skips requests whose {@value #DEADLINE} has passed.
 *   <li>The asker completes the pending query whose {@value #MSG_ID} the reply carries. A reply
 *       for a query that timed out is dropped and counted as late, one for no query of this bus as
 *       unknown.
 * </ol>
 *
 * <p>The reply topic is one per bus, {@code ferry-reply-<16 hex digits>#ephemeral}: a valid NSQ
 * topic name that any NSQ client can publish to as it is (HTTP clients percent-encode the {@code
 * #} as {@code %23} in {@code /pub?topic=}). Being ephemeral it costs no disk and goes away when
 * the asking bus closes. Clocks of askers and responders are assumed roughly synchronised (NTP)
 * for {@value #DEADLINE} to mean anything.
 */
public final class Query {
    /** The correlation id of a request and its reply. */
    public static final String MSG_ID = "Msg-ID";

    /** The topic the asker reads replies from. */
    public static final String SERVER_ID = "Server-ID";

    /** The node ({@code host:port}) holding the asker's reply topic, on many-node transports. */
    public static final String SERVER_NODE = "Server-Node";

    /** When the asker gives up on the request, in milliseconds since the epoch. */
    public static final String DEADLINE = "Query-Deadline";

    /** The timeout of {@link Bus#query(String, String)}: 2 s, as the NSQ module's query_timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    /** The prefix of every bus's reply topic. */
    public static final String REPLY_TOPIC_PREFIX = "ferry-reply-";

    private Query() {}

    /**
     * Answers requests (see {@link Bus#respond}): a function from the request to its reply.
     *
     * <pre>{@code
     * bus.respond("prices", "pricing", request -> json.createObjectNode()
     *         .put("price", priceOf(request.get("sku").asText())));
     * }</pre>
     *
     * <p>Runs on the subscription's handler threads, at most its max-in-flight at once. The request is
     * finished once the reply is stored, so it holds its slot until then.
     */
    @FunctionalInterface
    public interface Responder {
        /**
         * Answers one request.
         *
         * @param request the request as a JSON object, with its {@value #MSG_ID}, {@value #SERVER_ID}
         *     and other fields
         * @return the reply, a JSON object (Ferry sets its {@value #MSG_ID}, modifying it); or
         *     {@code null} to send no reply (the asker will time out)
         * @throws Exception to requeue the request with the subscription's backoff
         */
        JsonNode respond(ObjectNode request) throws Exception;
    }

    /**
     * A snapshot of one bus's request/reply counters since it was opened.
     *
     * @param inFlight queries waiting for their reply now
     * @param sent queries published
     * @param answered queries completed by their reply
     * @param timedOut queries that failed with {@link QueryTimeoutException}
     * @param failed queries that failed otherwise (the request could not be published, too many in
     *     flight, the bus closed)
     * @param lateReplies replies that arrived after their query had timed out (dropped)
     * @param unknownReplies replies that matched no query of this bus, or were not JSON objects with
     *     a {@value #MSG_ID} (dropped)
     * @param replied replies published by this bus's responders
     * @param expiredRequests requests this bus's responders skipped because their {@value #DEADLINE}
     *     had passed
     * @param malformedRequests requests its responders dropped for lack of a JSON object with
     *     {@value #MSG_ID} and a valid {@value #SERVER_ID}
     */
    public record Stats(
            long inFlight,
            long sent,
            long answered,
            long timedOut,
            long failed,
            long lateReplies,
            long unknownReplies,
            long replied,
            long expiredRequests,
            long malformedRequests) {}
}
