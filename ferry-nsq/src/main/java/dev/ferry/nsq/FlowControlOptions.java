package dev.ferry.nsq;

import dev.ferry.Backoff;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a consumer spreads a subscription's max in flight over its connections as RDY, and how it
 * backs off after handler failures (as go-nsq). Immutable; validated when built.
 *
 * @param failureBackoff how long a consumer pauses (every connection at RDY 0, then one at RDY 1 to
 *     test the waters) after handler failures, by the number of failures not yet offset by
 *     successes (default 1 s doubling to 2 min, as go-nsq); empty when failures do not pause
 *     consumption
 * @param rdyRedistributeInterval how often RDY is moved between connections when a subscription has
 *     more connections than max in flight, or is backing off (default 5 s, as go-nsq); positive
 * @param lowRdyIdleTimeout a connection that received nothing for this long gives its RDY to another
 *     (default 10 s); positive
 * @param lowRdyTimeout a connection holding RDY this long gives it up at the next redistribution even
 *     when busy, so that with max in flight smaller than the connections every producer gets its
 *     turn (default 30 s); positive
 */
public record FlowControlOptions(
        Optional<Backoff> failureBackoff,
        Duration rdyRedistributeInterval,
        Duration lowRdyIdleTimeout,
        Duration lowRdyTimeout) {
    /** go-nsq's defaults. */
    public static final FlowControlOptions DEFAULT = builder().build();

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the setting and its value
     */
    public FlowControlOptions {
        Objects.requireNonNull(failureBackoff, "failureBackoff");
        Check.positive("rdyRedistributeInterval", rdyRedistributeInterval);
        Check.positive("lowRdyIdleTimeout", lowRdyIdleTimeout);
        Check.positive("lowRdyTimeout", lowRdyTimeout);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder()
                .failureBackoff(failureBackoff.orElse(null))
                .rdyRedistribution(rdyRedistributeInterval, lowRdyIdleTimeout, lowRdyTimeout);
    }

    /** Collects flow control settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private Backoff failureBackoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2));
        private Duration rdyRedistributeInterval = Duration.ofSeconds(5);
        private Duration lowRdyIdleTimeout = Duration.ofSeconds(10);
        private Duration lowRdyTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** Sets the consumer's failure backoff (null: failures do not pause consumption). */
        public Builder failureBackoff(Backoff value) {
            this.failureBackoff = value;
            return this;
        }

        /**
         * Sets the RDY redistribution interval (default 5 s) and the idle (default 10 s) and holding
         * (default 30 s) timeouts that move RDY.
         */
        public Builder rdyRedistribution(Duration interval, Duration idleTimeout, Duration holdTimeout) {
            this.rdyRedistributeInterval = Objects.requireNonNull(interval, "rdyRedistributeInterval");
            this.lowRdyIdleTimeout = Objects.requireNonNull(idleTimeout, "lowRdyIdleTimeout");
            this.lowRdyTimeout = Objects.requireNonNull(holdTimeout, "lowRdyTimeout");
            return this;
        }

        /**
         * Validates and seals the settings.
         *
         * @throws IllegalArgumentException naming the setting and its value
         */
        public FlowControlOptions build() {
            return new FlowControlOptions(
                    Optional.ofNullable(failureBackoff), rdyRedistributeInterval, lowRdyIdleTimeout, lowRdyTimeout);
        }
    }
}
