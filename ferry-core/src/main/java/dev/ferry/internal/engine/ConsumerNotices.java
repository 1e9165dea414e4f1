package dev.ferry.internal.engine;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells registered consumers what happened under a topic's lock, after it is released: that
 * messages are available, or that their leases expired or were dropped. A consumer that fails to
 * hear is logged; the others still hear.
 *
 * <p>Threading: called on the thread that caused the change, never under a topic lock.
 */
final class ConsumerNotices {
    private static final Logger log = LoggerFactory.getLogger(ConsumerNotices.class);

    private ConsumerNotices() {}

    /** Tells the consumers of {@code channels} that messages are available. */
    static void signal(List<ChannelState> channels) {
        for (ChannelState ch : channels) {
            for (LocalConsumer consumer : ch.listeners) {
                consumer.available();
            }
        }
    }

    /** Tells consumers of their leases that expired or were dropped ({@code expiries} may be null). */
    static void reportExpired(List<LocalConsumer.Expiry> expiries) {
        if (expiries == null) {
            return;
        }
        for (LocalConsumer.Expiry expiry : expiries) {
            try {
                expiry.consumer().expired(expiry.lease());
            } catch (RuntimeException e) {
                log.warn("a consumer failed to hear that lease {} expired: {}", expiry.lease(), e.toString(), e);
            }
        }
    }
}
