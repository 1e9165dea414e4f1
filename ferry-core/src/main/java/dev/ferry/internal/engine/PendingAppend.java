package dev.ferry.internal.engine;

import dev.ferry.spi.PublishRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One publish waiting to be written. Publishers queue theirs on the topic; whoever releases the
 * topic's lock next writes every queued publish in one write (group write, see {@link
 * TopicState}), so concurrent publishers share one system call the way group commit shares one
 * fsync, and a publisher never waits for the lock. The flags are set under the topic lock and read
 * by the thread that wrote the group, after it; {@link #result} completes once the publish is
 * stored (and synced, under {@code sync=always}), refused or failed.
 */
final class PendingAppend {
    final String topic;
    final List<PublishRecord> batch;
    final long bodyBytes;
    final CompletableFuture<Void> result = new CompletableFuture<>();

    /** Written, refused or failed: nothing more will happen to it. */
    boolean done;

    /** Why it was not stored, when it was not. */
    RuntimeException error;

    /** The topic was deleted first: publish again to the topic that replaces it. */
    boolean retry;

    PendingAppend(String topic, List<PublishRecord> batch, long bodyBytes) {
        this.topic = topic;
        this.batch = batch;
        this.bodyBytes = bodyBytes;
    }

    void reset() {
        done = false;
        error = null;
        retry = false;
    }
}
