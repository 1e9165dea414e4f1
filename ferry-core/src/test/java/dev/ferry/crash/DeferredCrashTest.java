package dev.ferry.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.ChannelStats;
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
 * Deferred publishes (3 to 6 s ahead, and one an hour ahead) in a child JVM, with or without a
 * consumer that has claimed them into its deferral store, killed with SIGKILL before any is due:
 * after a restart each arrives once, not before its due time, and the hour-ahead one is still
 * waiting and counted as deferred. Real clock.
 */
class DeferredCrashTest {
    private static final int SOON = 6;
    private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();

    /** Arrival before the due time by more than this fails (clock reads in different JVMs). */
    private static final long EARLY_TOLERANCE_MILLIS = 20;

    /** Arrival after the due time by more than this fails (engine ticks every 10 ms; 2 busy cores). */
    private static final long LATE_TOLERANCE_MILLIS = 2_000;

    @TempDir
    Path work;

    @RegisterExtension
    final ChildJvms children = new ChildJvms();

    @Test
    void shouldDeliverDeferredMessagesAtTheirDueTimeAfterAKill() throws Exception {
        long seed = Seeds.next("deferred");
        Random random = new Random(seed);
        run(random, random.nextBoolean(), 1 + random.nextInt(40), false);
    }

    /**
     * The consumer has just claimed the deferred messages from the log into its deferral store when
     * the kill comes, before the sync thread wrote the channel's journal.
     */
    @Test
    void shouldDeliverDeferredMessagesOnceWhenKilledRightAfterTheConsumerClaimedThem() throws Exception {
        long seed = Seeds.next("deferred, kill right after the claim");
        run(new Random(seed), true, 1, false);
    }

    /** As above, but the restart comes after the due times: each message arrives at once, once. */
    @Test
    void shouldDeliverOverdueMessagesOnceWhenKilledRightAfterTheConsumerClaimedThem() throws Exception {
        long seed = Seeds.next("deferred, kill right after the claim, restart when overdue");
        run(new Random(seed), true, 1, true);
    }

    @Tag("soak")
    @RepeatedTest(20)
    void soakShouldDeliverDeferredMessagesAtTheirDueTimeAfterAKill() throws Exception {
        long seed = Seeds.next("deferred soak");
        Random random = new Random(seed);
        run(random, random.nextBoolean(), 1 + random.nextInt(40), random.nextInt(4) == 0);
    }

    private void run(Random random, boolean consumerInChild, int killAtTick, boolean restartOverdue) throws Exception {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < SOON; i++) {
            delays.add(3_000L + random.nextInt(3_001));
        }
        int farIndex = random.nextInt(SOON + 1);
        delays.add(farIndex, HOUR_MILLIS);
        String far = "d" + farIndex;
        Path data = work.resolve("data");
        ChildJvm child = children.start(
                work,
                "deferred",
                (c, line) -> {
                    if (line.equals("TICK " + killAtTick)) {
                        c.kill();
                    }
                },
                List.of(
                        "mode=" + CrashChild.DEFERRED,
                        "dir=" + data,
                        "consumer=" + consumerInChild,
                        "delays=" + delays.stream().map(String::valueOf).collect(Collectors.joining(","))));
        await("the kill at TICK " + killAtTick)
                .atMost(Duration.ofSeconds(30))
                .until(() -> child.killedAtMillis() != 0 || !child.isAlive());
        child.awaitKilled();

        Map<String, Long> dueAt = new HashMap<>();
        for (String line : child.lines()) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "ACK" -> dueAt.put(f[1], Long.parseLong(f[2]) + Long.parseLong(f[3]));
                case "DEFERRED" ->
                    assertThat(Long.parseLong(f[1]))
                            .as("deferred count in the child")
                            .isEqualTo(SOON + 1);
                case "TICK" -> {}
                default -> throw new AssertionError("unexpected line from the child (none is due yet): " + line);
            }
        }
        assertThat(dueAt).as("acknowledged deferred publishes").hasSize(SOON + 1);
        long firstDue = dueAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long lastSoonDue = dueAt.entrySet().stream()
                .filter(e -> !e.getKey().equals(far))
                .mapToLong(Map.Entry::getValue)
                .max()
                .orElseThrow();
        if (restartOverdue) {
            await("the last due time passing while the bus is down")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> System.currentTimeMillis() > lastSoonDue);
        } else {
            assertThat(System.currentTimeMillis())
                    .as("the restart begins before the first due time")
                    .isLessThan(firstDue);
        }
        long restartAt = System.currentTimeMillis();

        Deliveries after = new Deliveries();
        try (Bus bus = Bus.embedded(data)) {
            ChannelStats recovered = channel(bus);
            System.out.printf(
                    "deferred: after the restart, before subscribing: depth=%d deferred=%d inFlight=%d%n",
                    recovered.depth(), recovered.deferred(), recovered.inFlight());
            bus.subscribe(
                    "later",
                    "c",
                    after.handler(),
                    SubscribeOptions.maxInFlight(16).withMessageTimeout(Duration.ofSeconds(2)));
            await("the messages due in seconds").atMost(Duration.ofSeconds(20)).until(() -> after.count() >= SOON);
            // nothing more comes, not even after a message timeout
            await().during(Duration.ofMillis(2_500))
                    .atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(after.byBody())
                            .as("deliveries after the restart")
                            .hasSize(SOON)
                            .allSatisfy((body, list) -> assertThat(list)
                                    .as("deliveries of %s", body)
                                    .hasSize(1)));
            ChannelStats ch = channel(bus);
            assertThat(ch.deferred()).as("deferred after the others arrived").isEqualTo(1);
            assertThat(ch.depth()).as("depth").isZero();
            assertThat(ch.inFlight()).as("in flight").isZero();
        }

        Map<String, List<Deliveries.Delivery>> arrived = after.byBody();
        assertThat(arrived).as("arrivals").doesNotContainKey(far).hasSize(SOON);
        StringBuilder lateness = new StringBuilder();
        arrived.forEach((body, list) -> {
            assertThat(list).as("deliveries of %s", body).hasSize(1);
            Deliveries.Delivery d = list.get(0);
            long due = Math.max(dueAt.get(body), restartAt);
            assertThat(d.atMillis())
                    .as("arrival of %s, due at %d", body, due)
                    .isBetween(due - EARLY_TOLERANCE_MILLIS, due + LATE_TOLERANCE_MILLIS);
            assertThat(d.attempts()).as("attempts of %s", body).isEqualTo(1);
            lateness.append(' ').append(d.atMillis() - due);
        });
        System.out.printf(
                "deferred: consumer in child=%s, killed at tick %d, restart %s; arrival minus due (ms):%s%n",
                consumerInChild, killAtTick, restartOverdue ? "overdue" : "before due", lateness);
    }

    private static ChannelStats channel(Bus bus) {
        return bus.admin().topic("later").orElseThrow().channels().get(0);
    }
}
