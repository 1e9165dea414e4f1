package dev.ferry.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer in a child JVM requeues each message until its delivery number reaches a target (1, 2
 * or 3), then holds it in flight; the child is killed with SIGKILL: after a restart every message
 * comes back exactly once with attempts one above the delivery that was held.
 */
class AttemptsCrashTest {
    private static final int MESSAGES = 30;

    @TempDir
    Path work;

    @RegisterExtension
    final ChildJvms children = new ChildJvms();

    @Test
    void shouldRedeliverHeldMessagesWithAttemptsOneAboveTheHeldDelivery() throws Exception {
        run(Seeds.next("attempts"));
    }

    @Tag("soak")
    @RepeatedTest(20)
    void soakShouldRedeliverHeldMessagesWithAttemptsOneAboveTheHeldDelivery() throws Exception {
        run(Seeds.next("attempts soak"));
    }

    private void run(long seed) throws Exception {
        Random random = new Random(seed);
        List<Long> targets = new ArrayList<>();
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            targets.add(i < 3 ? 1L + i : 1L + random.nextInt(3));
            // a zero delay requeues in place; a short one goes through the channel's retry store
            delays.add(random.nextInt(4) == 0 ? 50L : 0L);
        }
        int killAtTick = 1 + random.nextInt(25);
        Path data = work.resolve("data");
        ChildJvm child = children.start(
                work,
                "attempts",
                (c, line) -> {
                    if (line.equals("TICK " + killAtTick)) {
                        c.kill();
                    }
                },
                List.of(
                        "mode=" + CrashChild.ATTEMPTS,
                        "dir=" + data,
                        "targets=" + join(targets),
                        "delays=" + join(delays)));
        await("the kill at TICK " + killAtTick)
                .atMost(Duration.ofSeconds(60))
                .until(() -> child.killedAtMillis() != 0 || !child.isAlive());
        child.awaitKilled();

        Map<String, Integer> held = new HashMap<>();
        for (String line : child.lines()) {
            String[] f = line.split(" ");
            if (f[0].equals("HOLD")) {
                assertThat(held.put(f[1], Integer.parseInt(f[2])))
                        .as("%s held twice", f[1])
                        .isNull();
            }
        }
        assertThat(held).as("messages held in flight at the kill").hasSize(MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
            assertThat(held.get("h" + i))
                    .as("delivery number at which h%d was held", i)
                    .isEqualTo(targets.get(i).intValue());
        }

        Deliveries after = new Deliveries();
        try (Bus bus = Bus.embedded(data)) {
            bus.subscribe("attempts", "c", after.handler(), SubscribeOptions.maxInFlight(MESSAGES));
            await("every held message redelivered")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> after.count() >= MESSAGES);
            // and nothing more: the handler finished each of them
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> after.count() == MESSAGES);
        }
        Map<String, Integer> redelivered = new HashMap<>();
        after.byBody().forEach((body, list) -> {
            assertThat(list).as("deliveries of %s after the restart", body).hasSize(1);
            redelivered.put(body, list.get(0).attempts());
        });
        Map<String, Integer> expected =
                held.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() + 1));
        System.out.printf("attempts: killed at tick %d; held attempts %s%n", killAtTick, histogram(held));
        assertThat(redelivered).as("attempts after the restart").isEqualTo(expected);
    }

    private static String join(List<Long> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static Map<Integer, Long> histogram(Map<String, Integer> attempts) {
        return attempts.values().stream().collect(Collectors.groupingBy(a -> a, Collectors.counting()));
    }
}
