package dev.ferry.internal.engine;

import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves messages whose attempts are used up to their channel's dead-letter topic: appends their
 * bodies there, then finishes them on their channel (counted as dead-lettered); requeues them for
 * {@link #RETRY} when the append fails, so none is lost.
 *
 * <p>Threading: runs on the thread of the claim that found them, without any topic lock held (the
 * dead-letter topic has its own lock); it takes the source topic's lock to finish each message.
 */
final class DeadLetterMover {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterMover.class);
    /** How long a message waits before its move to a dead-letter topic is tried again. */
    static final Duration RETRY = Duration.ofSeconds(1);

    private final LocalEngine engine;
    private final TopicRegistry topics;

    DeadLetterMover(LocalEngine engine, TopicRegistry topics) {
        this.engine = engine;
        this.topics = topics;
    }

    /** Moves {@code dead}; the append completes later when the engine syncs before answering. */
    void move(ChannelState.DeadBatch dead) {
        List<PublishRecord> records = new ArrayList<>(dead.leases().size());
        for (Lease lease : dead.leases()) {
            records.add(PublishRecord.of(lease.body()));
        }
        CompletableFuture<Void> stored;
        try {
            stored = engine.append(dead.topic(), records);
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        stored.whenComplete((v, e) -> {
            for (Lease lease : dead.leases()) {
                if (e != null) {
                    engine.nack(lease, RETRY);
                    continue;
                }
                finish(dead, lease);
            }
            if (e != null) {
                log.error(
                        "topic {}: {} messages could not be moved to dead-letter topic {}; retrying in {} ms: {}",
                        dead.leases().get(0).topic(),
                        dead.leases().size(),
                        dead.topic(),
                        RETRY.toMillis(),
                        e.toString());
            }
        });
    }

    private void finish(ChannelState.DeadBatch dead, Lease lease) {
        TopicState topic = topics.get(lease.topic());
        if (topic == null) {
            return;
        }
        topic.lock.lock();
        try {
            topic.deadLettered(lease);
        } finally {
            topic.lock.unlock();
        }
        log.warn(
                "topic {} channel {}: message {} moved to dead-letter topic {} after {} deliveries (maxAttempts {})",
                lease.topic(),
                lease.channel(),
                lease.idHex(),
                dead.topic(),
                lease.attempts() - 1,
                dead.maxAttempts());
    }
}
