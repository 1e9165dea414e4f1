package dev.ferry.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.Bus;
import dev.ferry.FerryException;
import dev.ferry.Names;
import dev.ferry.Query;
import dev.ferry.QueryTimeoutException;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.spi.ReplyRouting;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request/reply for one bus, over its public API alone, so every bus implementation can use it: a
 * reply topic of its own, subscribed on first use; pending queries by {@code Msg-ID}; a deadline
 * set swept by a timer; and the responders' handler.
 *
 * <p>Threading: {@link #ask} may be called from any thread and does not block (the request is
 * published asynchronously). A query's future completes on the bus thread that read the reply (the
 * reply handler is a {@link NonBlockingHandler}, so on the embedded bus that is a dispatch thread),
 * or on this client's timer thread when it times out; dependent stages run there unless
 * added with an {@code *Async} method, so they must not block. Timeouts are checked every {@value
 * #TICK_MILLIS} ms against the bus's clock (tests move it by hand).
 *
 * <p>Bounds: at most {@code maxInFlight} queries wait at once (beyond it a query fails at once,
 * counted as failed); the ids of the last {@value #LATE_MEMORY} timed-out queries are remembered to
 * tell late replies from unknown ones (an older late reply counts as unknown).
 */
public final class QueryClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long TICK_MILLIS = 5;
    static final int LATE_MEMORY = 65_536;
    private static final String REPLY_CHANNEL = "replies#ephemeral";
    private static final int REPLY_IN_FLIGHT = 1024;

    private final Bus bus;
    private final Clock clock;
    private final ReplyRouting routing;
    private final int maxInFlight;
    private final String replyTopic;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Pending> deadlines = new ConcurrentSkipListSet<>();
    private final Map<String, Boolean> timedOutIds = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > LATE_MEMORY;
        }
    };
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder sent = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder lateReplies = new LongAdder();
    private final LongAdder unknownReplies = new LongAdder();
    final LongAdder replied = new LongAdder();
    final LongAdder expiredRequests = new LongAdder();
    final LongAdder malformedRequests = new LongAdder();
    private volatile Subscription replies;
    private ExecutorService timer;
    private ScheduledFuture<?> sweeps;
    private volatile boolean closed;

    /**
     * A client for {@code bus}, whose deadlines follow {@code clock}.
     *
     * @param maxInFlight the most queries waiting for a reply at once
     */
    public QueryClient(Bus bus, Clock clock, ReplyRouting routing, int maxInFlight) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.routing = Objects.requireNonNull(routing, "routing");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
        byte[] id = new byte[8];
        ThreadLocalRandom.current().nextBytes(id);
        this.replyTopic = Query.REPLY_TOPIC_PREFIX + HexFormat.of().formatHex(id) + "#ephemeral";
    }

    /** This bus's reply topic. */
    public String replyTopic() {
        return replyTopic;
    }

    /** A waiting query, ordered by deadline for the sweeper. */
    private record Pending(
            long deadline, long seq, String topic, String msgId, Duration timeout, CompletableFuture<String> future)
            implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    // ---- asking ---------------------------------------------------------------------------------

    /**
     * Publishes {@code json} (a JSON object) to {@code topic} as a request and returns the reply's
     * JSON text. Argument errors and publish failures complete the future exceptionally, as does
     * the timeout ({@link QueryTimeoutException}).
     */
    public CompletableFuture<String> ask(String topic, String json, Duration timeout) {
        ObjectNode request;
        try {
            Names.checkTopic(topic);
            Objects.requireNonNull(json, "json");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("query timeout must be at least 1 ms, got " + timeout);
            }
            request = parseRequest(json);
            ensureListening();
        } catch (RuntimeException e) {
            failed.increment();
            return CompletableFuture.failedFuture(e);
        }
        String msgId = textField(request, Query.MSG_ID);
        if (msgId == null) {
            msgId = randomUuid();
            request.put(Query.MSG_ID, msgId);
        }
        if (textField(request, Query.SERVER_ID) == null) {
            request.put(Query.SERVER_ID, replyTopic);
        }
        if (!request.has(Query.SERVER_NODE)) {
            routing.replyNode().ifPresent(node -> request.put(Query.SERVER_NODE, node));
        }
        long deadline = clock.millis() + timeout.toMillis();
        request.put(Query.DEADLINE, deadline);

        CompletableFuture<String> future = new CompletableFuture<>();
        Pending p = new Pending(deadline, sequence.incrementAndGet(), topic, msgId, timeout, future);
        if (pending.size() >= maxInFlight) {
            failed.increment();
            return CompletableFuture.failedFuture(new FerryException("query to topic '"
                    + topic
                    + "' refused: "
                    + pending.size()
                    + " queries are waiting for replies, the most this bus allows (maxPendingQueries "
                    + maxInFlight
                    + ")"));
        }
        if (pending.putIfAbsent(msgId, p) != null) {
            failed.increment();
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "a query with " + Query.MSG_ID + " " + msgId + " is already waiting for its reply"));
        }
        deadlines.add(p);
        if (closed) {
            fail(p, new FerryException("the bus is closed"));
            return future;
        }
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            fail(p, new IllegalArgumentException("cannot encode the request: " + e.getOriginalMessage(), e));
            return future;
        }
        CompletableFuture<Void> published;
        try {
            published = bus.publishAsync(topic, body);
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        sent.increment();
        published.whenComplete((v, e) -> {
            if (e != null) {
                fail(p, e);
            }
        });
        return future;
    }

    private void fail(Pending p, Throwable error) {
        if (pending.remove(p.msgId(), p)) {
            deadlines.remove(p);
            failed.increment();
            p.future().completeExceptionally(error);
        }
    }

    private static ObjectNode parseRequest(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "a query must be a JSON object; got text that is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a query must be a JSON object; got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        return (ObjectNode) node;
    }

    /** A version 4 UUID from a fast non-cryptographic source: a correlation id, not a secret. */
    private static String randomUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(msb, lsb).toString();
    }

    static String textField(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.textValue().isEmpty() ? value.textValue() : null;
    }

    /** Subscribes the reply topic and starts the timeout sweeper, once. */
    private void ensureListening() {
        if (replies != null) {
            return;
        }
        synchronized (this) {
            if (closed) {
                throw new FerryException("the bus is closed");
            }
            if (replies == null) {
                // the process's timer beats; the sweep completes futures, whose dependent stages may
                // be slow, so it runs on this client's own thread, never on the timer's
                timer = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "ferry-query-timer");
                    t.setDaemon(true);
                    return t;
                });
                sweeps = Timers.every(Duration.ofMillis(TICK_MILLIS), timer, this::sweep);
                NonBlockingHandler onReply = this::onReply;
                replies = bus.subscribe(
                        replyTopic, REPLY_CHANNEL, onReply, SubscribeOptions.maxInFlight(REPLY_IN_FLIGHT));
            }
        }
    }

    private void onReply(dev.ferry.Message message) {
        String msgId = null;
        try {
            JsonNode reply = JSON.readTree(message.body());
            if (reply != null && reply.isObject()) {
                msgId = textField(reply, Query.MSG_ID);
            }
        } catch (IOException e) {
            // not JSON: counted as unknown below
        }
        Pending p = msgId == null ? null : pending.remove(msgId);
        if (p == null) {
            boolean late;
            synchronized (timedOutIds) {
                late = msgId != null && timedOutIds.remove(msgId) != null;
            }
            (late ? lateReplies : unknownReplies).increment();
            log.debug("reply topic {}: dropped a {} reply (Msg-ID {})", replyTopic, late ? "late" : "unknown", msgId);
            return;
        }
        deadlines.remove(p);
        answered.increment();
        p.future().complete(new String(message.body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    private void sweep() {
        try {
            long now = clock.millis();
            Pending first;
            while ((first = firstOrNull()) != null && first.deadline() <= now) {
                deadlines.remove(first);
                if (pending.remove(first.msgId(), first)) {
                    synchronized (timedOutIds) {
                        timedOutIds.put(first.msgId(), Boolean.TRUE);
                    }
                    timedOut.increment();
                    first.future()
                            .completeExceptionally(
                                    new QueryTimeoutException(first.topic(), first.msgId(), first.timeout()));
                }
            }
        } catch (RuntimeException e) {
            log.error("query timeouts: sweeping failed; trying again", e);
        }
    }

    private Pending firstOrNull() {
        java.util.Iterator<Pending> it = deadlines.iterator();
        return it.hasNext() ? it.next() : null;
    }

    // ---- responding -----------------------------------------------------------------------------

    /** Subscribes {@code responder} to the requests of {@code topic} on {@code channel}. */
    public Subscription respond(String topic, String channel, Query.Responder responder, SubscribeOptions options) {
        Objects.requireNonNull(responder, "responder");
        return bus.subscribeAsync(topic, channel, new QueryResponder(this, bus, clock, routing, responder), options);
    }

    // ---- statistics and shutdown ----------------------------------------------------------------

    /** The counters now. */
    public Query.Stats stats() {
        return new Query.Stats(
                pending.size(),
                sent.sum(),
                answered.sum(),
                timedOut.sum(),
                failed.sum(),
                lateReplies.sum(),
                unknownReplies.sum(),
                replied.sum(),
                expiredRequests.sum(),
                malformedRequests.sum());
    }

    /** Fails every waiting query ("the bus is closed"), stops the timer and the reply subscription. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Pending p : pending.values()) {
            fail(
                    p,
                    new FerryException("the bus closed while query " + p.msgId() + " on topic '" + p.topic()
                            + "' waited for its reply"));
        }
        if (timer != null) {
            sweeps.cancel(false);
            timer.shutdownNow();
        }
        Subscription r = replies;
        if (r != null) {
            r.close();
        }
    }
}
