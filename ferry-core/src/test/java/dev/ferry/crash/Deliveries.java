package dev.ferry.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.ChannelStats;
import dev.ferry.MessageHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** What a consumer in the test JVM received after the restart; its handler finishes every message. */
final class Deliveries {
    /** One delivery: the body as text, its attempts, and when it arrived (wall clock, ms). */
    record Delivery(String body, int attempts, long atMillis) {}

    private final ConcurrentLinkedQueue<Delivery> all = new ConcurrentLinkedQueue<>();

    MessageHandler handler() {
        return message -> {
            all.add(new Delivery(
                    new String(message.body(), StandardCharsets.UTF_8),
                    message.attempts(),
                    System.currentTimeMillis()));
        };
    }

    int count() {
        return all.size();
    }

    long count(Predicate<String> body) {
        return all.stream().filter(d -> body.test(d.body())).count();
    }

    /** The deliveries of each body, in arrival order. */
    Map<String, List<Delivery>> byBody() {
        return all.stream().collect(Collectors.groupingBy(Delivery::body, LinkedHashMap::new, Collectors.toList()));
    }

    /** Waits until the only channel of {@code topic} has nothing ready, in flight or deferred. */
    static void awaitDrained(Bus bus, String topic, String what, Duration atMost) {
        await(what).atMost(atMost).untilAsserted(() -> {
            ChannelStats ch = bus.admin().topic(topic).orElseThrow().channels().get(0);
            assertThat(ch.depth()).isZero();
            assertThat(ch.inFlight()).isZero();
            assertThat(ch.deferred()).isZero();
        });
    }
}
