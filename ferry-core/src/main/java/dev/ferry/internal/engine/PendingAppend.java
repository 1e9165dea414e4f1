package dev.ferry.internal.engine;

import dev.ferry.spi.PublishRecord;
import java.util.List;

/**
 * One publish waiting to be written. Publishers queue theirs on the topic and take the topic's
 * lock; whoever holds the lock writes every queued publish in one write (group write), so
 * concurrent publishers share one system call the way group commit shares one fsync. The fields
 * are set and read under the topic lock.
 */
final class PendingAppend {
    final List<PublishRecord> batch;
    final long bodyBytes;

    /** Written, refused or failed: nothing more will happen to it. */
    boolean done;

    /** Why it was not stored, when it was not. */
    RuntimeException error;

    /** The topic was deleted first: publish again to the topic that replaces it. */
    boolean retry;

    PendingAppend(List<PublishRecord> batch, long bodyBytes) {
        this.batch = batch;
        this.bodyBytes = bodyBytes;
    }

    void reset() {
        done = false;
        error = null;
        retry = false;
    }
}
