package dev.ferry.nsq;

import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.nsq.internal.federation.BridgeEnvelope;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * Forwards a topic from one bus to a topic of another, at least once: it consumes a channel of the
 * source topic and finishes a message only once the target broker acknowledged its publish; a
 * publish that fails requeues the message at the source, with the subscription's backoff, so
 * nothing is lost while the target is unreachable, and the source's channel keeps the position
 * across restarts of the bridge. Either bus may be local or federated ({@code ws://}, {@code
 * wss://}); their own reconnects (with backoff) carry the bridge over cut links.
 *
 * <p><b>No loops.</b> What a bridge forwards is marked: the body is wrapped in a small envelope
 * naming the origin site ({@link #unwrap(byte[])} gives back the original). A bridge never forwards
 * a marked message, it finishes it at once; so bridges A→B and B→A on the same topics carry each
 * message across once. Consumers of a bridged topic read the envelope unless they {@link
 * #unwrap(byte[]) unwrap} it; a one-way bridge may forward the bare body instead ({@link
 * Options#mark()} false), as long as the bridge back, if any, marks.
 *
 * <pre>{@code
 * try (TopicBridge bridge = TopicBridge.start(siteA, "orders", siteB, "orders",
 *         TopicBridge.Options.named("site-a"))) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. The work runs on the source bus's handler threads; nothing blocks them (the
 * publish is asynchronous). {@link #close()} stops consuming; messages not yet acknowledged by the
 * target are requeued at the source.
 */
public final class TopicBridge implements AutoCloseable {
    private final Subscription subscription;
    private final LongAdder forwarded;
    private final LongAdder skipped;

    /**
     * How a bridge consumes and marks.
     *
     * @param origin the name of the source site written in the envelope (letters, digits, {@code .},
     *     {@code _}, {@code -}; at most 64)
     * @param channel the source topic's channel the bridge consumes ({@code federate} by default): it
     *     keeps the bridge's position
     * @param maxInFlight publishes awaiting the target's acknowledgement at once (100 by default)
     * @param messageTimeout how long a message may wait for the target's acknowledgement before the
     *     source redelivers it (60 s by default)
     * @param mark whether forwarded bodies are marked (true by default; see the class comment)
     */
    public record Options(String origin, String channel, int maxInFlight, Duration messageTimeout, boolean mark) {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

        /**
         * Validates the options.
         *
         * @throws IllegalArgumentException naming the option and its value
         */
        public Options {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(messageTimeout, "messageTimeout");
            if (!NAME.matcher(origin).matches()) {
                throw new IllegalArgumentException("a bridge's origin name must be 1 to 64 letters, digits, '.', '_'"
                        + " or '-', got \"" + origin + '"');
            }
            if (maxInFlight <= 0) {
                throw new IllegalArgumentException("maxInFlight must be positive, got " + maxInFlight);
            }
        }

        /** The defaults, for the site named {@code origin}. */
        public static Options named(String origin) {
            return new Options(origin, "federate", 100, Duration.ofSeconds(60), true);
        }

        /** A copy consuming another channel. */
        public Options withChannel(String value) {
            return new Options(origin, value, maxInFlight, messageTimeout, mark);
        }

        /** A copy with another number of messages in flight. */
        public Options withMaxInFlight(int value) {
            return new Options(origin, channel, value, messageTimeout, mark);
        }

        /** A copy that marks forwarded bodies, or not. */
        public Options withMark(boolean value) {
            return new Options(origin, channel, maxInFlight, messageTimeout, value);
        }
    }

    private TopicBridge(Subscription subscription, LongAdder forwarded, LongAdder skipped) {
        this.subscription = subscription;
        this.forwarded = forwarded;
        this.skipped = skipped;
    }

    /**
     * Starts forwarding {@code fromTopic} of {@code from} to {@code toTopic} of {@code to}. Returns at
     * once; consuming starts in the background.
     *
     * @throws IllegalArgumentException when a topic or the channel is not a valid name
     */
    public static TopicBridge start(Bus from, String fromTopic, Bus to, String toTopic, Options options) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(toTopic, "toTopic");
        LongAdder forwarded = new LongAdder();
        LongAdder skipped = new LongAdder();
        Subscription s = from.subscribeAsync(
                fromTopic,
                options.channel(),
                m -> {
                    byte[] body = m.body();
                    if (BridgeEnvelope.isBridged(body)) {
                        skipped.increment(); // it came over a bridge: sending it on would loop
                        return CompletableFuture.completedFuture(null);
                    }
                    byte[] out = options.mark() ? BridgeEnvelope.wrap(options.origin(), body) : body;
                    return to.publishAsync(toTopic, out).thenRun(forwarded::increment);
                },
                SubscribeOptions.maxInFlight(options.maxInFlight()).withMessageTimeout(options.messageTimeout()));
        return new TopicBridge(s, forwarded, skipped);
    }

    /** Messages forwarded and acknowledged by the target so far. */
    public long forwarded() {
        return forwarded.sum();
    }

    /** Marked messages finished without forwarding (they came over a bridge) so far. */
    public long skipped() {
        return skipped.sum();
    }

    /** The original body of a message a bridge forwarded; {@code body} itself when it is not marked. */
    public static byte[] unwrap(byte[] body) {
        return BridgeEnvelope.unwrap(body);
    }

    /** The origin site named in a forwarded body; null when it is not marked. */
    public static String origin(byte[] body) {
        return BridgeEnvelope.origin(body);
    }

    /** Stops consuming; what the target has not acknowledged is requeued at the source. */
    @Override
    public void close() {
        subscription.close();
    }
}
