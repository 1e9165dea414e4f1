package dev.ferry;

import java.time.Duration;

/**
 * No reply to a query arrived in time (see {@link Bus#queryAsync}). The message names the request
 * topic, the request's {@code Msg-ID} and the timeout; a reply arriving later is dropped and
 * counted in {@link Query.Stats#lateReplies()}.
 */
public final class QueryTimeoutException extends FerryException {
    private static final long serialVersionUID = 1L;

    /** The request topic. */
    private final String topic;

    /** The request's Msg-ID. */
    private final String msgId;

    /** How long the query waited. */
    private final Duration timeout;

    /** Creates the exception for a query to {@code topic} with {@code msgId} that waited {@code timeout}. */
    public QueryTimeoutException(String topic, String msgId, Duration timeout) {
        super("no reply to query " + msgId + " on topic '" + topic + "' within " + timeout.toMillis() + " ms");
        this.topic = topic;
        this.msgId = msgId;
        this.timeout = timeout;
    }

    /** The topic the request was published to. */
    public String topic() {
        return topic;
    }

    /** The request's {@code Msg-ID}. */
    public String msgId() {
        return msgId;
    }

    /** How long the query waited. */
    public Duration timeout() {
        return timeout;
    }
}
