package dev.ferry.internal.engine;

import dev.ferry.DeadLetter;
import dev.ferry.spi.Lease;
import java.util.ArrayList;
import java.util.List;

/**
 * A channel's dead-letter policy, the messages its claims leased to the engine for the dead-letter
 * topic (not yet taken by the {@link DeadLetterMover}), and how many were moved since the engine
 * opened.
 *
 * <p>Threading: not thread-safe; the owning topic's lock guards it.
 */
final class ChannelDeadLetters {
    private DeadLetter policy = DeadLetter.NONE;
    private String topic;
    private long count;
    private List<Lease> claimed;

    DeadLetter policy() {
        return policy;
    }

    /** Sets the policy; {@code topicName} is its resolved topic (null for NONE). */
    void set(DeadLetter policy, String topicName) {
        this.policy = policy;
        this.topic = topicName;
    }

    /** Whether a message delivered {@code attempts} times must go to the dead-letter topic. */
    boolean exhausted(int attempts) {
        return policy.exhausted(attempts);
    }

    /** Holds a lease taken for the dead-letter topic until {@link #take}. */
    void claimed(Lease lease) {
        if (claimed == null) {
            claimed = new ArrayList<>();
        }
        claimed.add(lease);
    }

    boolean hasClaimed() {
        return claimed != null;
    }

    /** The leases claimed since the last call, as a batch to move, or null. */
    ChannelState.DeadBatch take() {
        if (claimed == null) {
            return null;
        }
        ChannelState.DeadBatch batch = new ChannelState.DeadBatch(topic, policy.maxAttempts(), claimed);
        claimed = null;
        return batch;
    }

    /** Counts a message moved. */
    void moved() {
        count++;
    }

    long count() {
        return count;
    }
}
