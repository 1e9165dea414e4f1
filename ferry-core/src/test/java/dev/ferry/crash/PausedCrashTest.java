package dev.ferry.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.ChannelStats;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SubscribeOptions;
import dev.ferry.SyncPolicy;
import dev.ferry.TopicStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic paused with a backlog in its channel, then published to in a child JVM killed with
 * SIGKILL after a random number of acknowledged publishes: after a restart the topic is still
 * paused, holds every acknowledged message published during the pause (its depth), the channel
 * still has its backlog and nothing more, and once the pause ends every acknowledged message is
 * delivered.
 */
class PausedCrashTest {
    private static final int BEFORE = 5;

    @TempDir
    Path work;

    @RegisterExtension
    final ChildJvms children = new ChildJvms();

    @Test
    void shouldKeepEveryAcknowledgedPublishToAPausedTopicAfterAKill() throws Exception {
        long seed = Seeds.next("paused");
        Random random = new Random(seed);
        SyncPolicy policy = SyncPolicy.values()[random.nextInt(SyncPolicy.values().length)];
        int killAtAck = BEFORE + 200 + random.nextInt(3_000);
        Path data = work.resolve("data");
        AtomicInteger acks = new AtomicInteger();
        ChildJvm child = children.start(
                work,
                "paused",
                (c, line) -> {
                    if (line.startsWith("ACK ") && acks.incrementAndGet() == killAtAck) {
                        c.kill();
                    }
                },
                List.of(
                        "mode=" + CrashChild.PAUSED,
                        "dir=" + data,
                        "seed=" + seed,
                        "policy=" + policy,
                        "before=" + BEFORE));
        await("the kill at ACK " + killAtAck)
                .atMost(Duration.ofSeconds(90))
                .until(() -> child.killedAtMillis() != 0 || !child.isAlive());
        child.awaitKilled();

        Set<String> acked = new HashSet<>();
        int ackedWhilePaused = 0;
        for (String line : child.lines()) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "ACK" -> {
                    acked.add(f[1]);
                    if (f[1].startsWith("held-")) {
                        ackedWhilePaused++;
                    }
                }
                case "PAUSED" -> {}
                default -> throw new AssertionError("unexpected line from the child: " + line);
            }
        }
        assertThat(acked).as("acknowledged publishes").hasSizeGreaterThanOrEqualTo(killAtAck);

        Deliveries after = new Deliveries();
        try (Bus bus = Bus.builder()
                .engine(EmbeddedEngineConfig.file(data).syncPolicy(policy).build())
                .open()) {
            TopicStats topic = bus.admin().topic("held").orElseThrow();
            ChannelStats channel = topic.channels().get(0);
            System.out.printf(
                    "paused: policy %s, killed at ACK %d; after the restart topic depth %d, channel depth %d%n",
                    policy, killAtAck, topic.depth(), channel.depth());
            assertThat(topic.paused()).as("paused after the restart").isTrue();
            // a publish in progress at the kill may be stored without its ACK line
            assertThat(topic.depth()).as("held by the topic").isGreaterThanOrEqualTo(ackedWhilePaused);
            assertThat(channel.depth()).as("the channel's own backlog").isEqualTo(BEFORE);
            bus.admin().unpauseTopic("held");
            bus.subscribe("held", "c", after.handler(), SubscribeOptions.maxInFlight(64));
            Deliveries.awaitDrained(bus, "held", "draining the channel after the pause", Duration.ofSeconds(60));
        }
        List<String> lost = new ArrayList<>();
        for (String body : acked) {
            if (!after.byBody().containsKey(body)) {
                lost.add(body);
            }
        }
        assertThat(lost).as("acknowledged messages never delivered").isEmpty();
    }
}
