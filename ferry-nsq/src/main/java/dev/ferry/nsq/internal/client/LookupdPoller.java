package dev.ferry.nsq.internal.client;

import dev.ferry.nsq.ConnectOptions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls lookupd for a topic's producers: once at start, then every poll interval plus a random part
 * of it (the jitter), handing each successful answer to the subscription. A failed poll is logged
 * and the known producers are kept. Thread-safe.
 */
final class LookupdPoller {
    private static final Logger log = LoggerFactory.getLogger(LookupdPoller.class);

    private final LookupdClient lookupd;
    private final ClientTimer timer;
    private final ConnectOptions options;
    private final String topic;
    private final Consumer<Set<String>> found;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> next;

    LookupdPoller(
            LookupdClient lookupd,
            ClientTimer timer,
            ConnectOptions options,
            String topic,
            Consumer<Set<String>> found) {
        this.lookupd = lookupd;
        this.timer = timer;
        this.options = options;
        this.topic = topic;
        this.found = found;
    }

    void start() {
        poll();
    }

    private void poll() {
        if (closed) {
            return;
        }
        lookupd.lookup(topic).whenComplete((producers, error) -> {
            if (error != null) {
                log.warn("topic {}: lookupd poll failed; keeping the known producers: {}", topic, error.toString());
            } else {
                try {
                    found.accept(producers);
                } catch (RuntimeException e) {
                    log.error("topic {}: handling lookupd's answer failed", topic, e);
                }
            }
            schedule();
        });
    }

    private void schedule() {
        if (closed) {
            return;
        }
        long delay = Jitter.above(
                options.discovery().lookupdPollInterval(), options.discovery().lookupdPollJitter());
        next = timer.schedule(Duration.ofMillis(delay), this::poll);
    }

    void close() {
        closed = true;
        ScheduledFuture<?> n = next;
        if (n != null) {
            n.cancel(false);
        }
    }
}
