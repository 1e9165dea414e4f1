package dev.ferry.nsq.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Backoff;
import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.FederationKey;
import dev.ferry.nsq.FederationSecret;
import dev.ferry.nsq.FederationSecret.Access;
import dev.ferry.nsq.FederationSettings;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.TopicBridge;
import dev.ferry.nsq.testing.FederatedSite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sites, each a Ferry broker behind a proxy the test cuts, with a bridge each way on the same
 * topic: every message crosses once (at least once: a cut may duplicate, never lose) and none comes
 * back.
 */
class TopicBridgeTest {
    private static final int EACH_WAY = 10_000;
    private static final String SECRET = "bridge-secret-0123456789";
    private static final FederationSettings SETTINGS =
            FederationSettings.of(List.of(new FederationSecret("peer", SECRET, Access.WRITE, List.of("orders"))));
    private static final FederationKey KEY = new FederationKey("peer", SECRET);

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    private <T extends AutoCloseable> T opened(T c) {
        opened.add(c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    private static Bus direct(FederatedSite site) {
        return NsqBus.connect(ConnectOptions.nsqd(site.tcpAddress())
                .nsqdHttp(site.httpAddress())
                // go-nsq's pause after handler failures (a cut fails the publishes in flight), test-sized
                .flowControl(f -> f.failureBackoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(200))))
                .build());
    }

    /** Collects what the site's own consumers read of {@code orders}, unwrapped, with its origin. */
    private static Set<String> observe(Bus local, AtomicInteger total, Set<String> looped, String foreignPrefix) {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        local.subscribe(
                "orders",
                "observer",
                m -> {
                    String body = new String(TopicBridge.unwrap(m.body()), StandardCharsets.UTF_8);
                    String origin = TopicBridge.origin(m.body());
                    // a message marked as coming from the other site must have started there
                    if (origin != null && !body.startsWith(foreignPrefix)) {
                        looped.add(origin + ":" + body);
                    }
                    seen.add(body);
                    total.incrementAndGet();
                },
                SubscribeOptions.maxInFlight(200));
        return seen;
    }

    private static void publishAll(Bus bus, String prefix) {
        for (int i = 0; i < EACH_WAY; i += 100) {
            List<byte[]> batch = new ArrayList<>();
            for (int j = i; j < i + 100; j++) {
                batch.add((prefix + j).getBytes(StandardCharsets.UTF_8));
            }
            bus.publish("orders", batch);
        }
    }

    @Test
    void shouldBridgeTenThousandMessagesEachWayOverCutLinksWithoutLoops() throws Exception {
        FederatedSite a =
                opened(new FederatedSite(Files.createDirectories(dir.resolve("a")), Clock.systemUTC(), SETTINGS));
        FederatedSite b =
                opened(new FederatedSite(Files.createDirectories(dir.resolve("b")), Clock.systemUTC(), SETTINGS));
        Bus localA = opened(direct(a));
        Bus localB = opened(direct(b));
        Bus toB = opened(b.connect(KEY, Clock.systemUTC()));
        Bus toA = opened(a.connect(KEY, Clock.systemUTC()));
        // both channels exist at both sites before anything is published: a channel made later starts
        // with the next message (and the first channel of a topic takes what it held), so an observer
        // or a bridge whose subscription is still connecting would miss a batch
        for (Bus site : List.of(localA, localB)) {
            site.admin().createChannel("orders", "observer");
            site.admin().createChannel("orders", "federate");
        }
        Set<String> loopedAtA = ConcurrentHashMap.newKeySet();
        Set<String> loopedAtB = ConcurrentHashMap.newKeySet();
        AtomicInteger totalA = new AtomicInteger();
        AtomicInteger totalB = new AtomicInteger();
        Set<String> atA = observe(localA, totalA, loopedAtA, "b-");
        Set<String> atB = observe(localB, totalB, loopedAtB, "a-");
        TopicBridge aToB =
                opened(TopicBridge.start(localA, "orders", toB, "orders", TopicBridge.Options.named("site-a")));
        TopicBridge bToA =
                opened(TopicBridge.start(localB, "orders", toA, "orders", TopicBridge.Options.named("site-b")));

        publishAll(localA, "a-");
        publishAll(localB, "b-");
        // cut each link while messages cross it
        await().until(() -> aToB.forwarded() > EACH_WAY / 4);
        b.proxy().cut();
        b.proxy().restore();
        await().until(() -> bToA.forwarded() > EACH_WAY / 4);
        a.proxy().cut();
        a.proxy().restore();

        await().atMost(Duration.ofSeconds(120))
                .conditionEvaluationListener(c -> {
                    if (!c.isSatisfied() && c.getElapsedTimeInMS() % 10_000 < 100) {
                        System.out.printf(
                                "after %d ms: at A %d, at B %d; A->B forwarded %d skipped %d; B->A forwarded %d skipped %d%n",
                                c.getElapsedTimeInMS(),
                                atA.size(),
                                atB.size(),
                                aToB.forwarded(),
                                aToB.skipped(),
                                bToA.forwarded(),
                                bToA.skipped());
                    }
                })
                .until(() -> atA.size() == 2 * EACH_WAY && atB.size() == 2 * EACH_WAY);
        // each bridge finished (without forwarding) what the other brought in: nothing went back
        await().until(() -> aToB.skipped() >= EACH_WAY && bToA.skipped() >= EACH_WAY);
        assertThat(loopedAtA).isEmpty();
        assertThat(loopedAtB).isEmpty();
        // a batch stored at the far site whose answer the cut lost is forwarded again after its requeue
        // delay, so every message arrived before the bridge counts it acknowledged: wait for that
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(aToB.forwarded()).isGreaterThanOrEqualTo(EACH_WAY);
            assertThat(bToA.forwarded()).isGreaterThanOrEqualTo(EACH_WAY);
        });
        System.out.printf(
                "bridged %d each way; delivered at A %d, at B %d (duplicates from the cuts: %d, %d)%n",
                EACH_WAY, totalA.get(), totalB.get(), totalA.get() - 2 * EACH_WAY, totalB.get() - 2 * EACH_WAY);
    }

    @Test
    void shouldForwardTheBareBodyWhenTheBridgeDoesNotMark() throws Exception {
        FederatedSite a =
                opened(new FederatedSite(Files.createDirectories(dir.resolve("a")), Clock.systemUTC(), SETTINGS));
        FederatedSite b =
                opened(new FederatedSite(Files.createDirectories(dir.resolve("b")), Clock.systemUTC(), SETTINGS));
        Bus localA = opened(direct(a));
        Bus localB = opened(direct(b));
        Bus toB = opened(b.connect(KEY, Clock.systemUTC()));
        Set<String> atB = ConcurrentHashMap.newKeySet();
        opened(localB.subscribe("orders", "observer", m -> atB.add(new String(m.body(), StandardCharsets.UTF_8))));
        opened(TopicBridge.start(
                localA,
                "orders",
                toB,
                "orders",
                TopicBridge.Options.named("site-a").withMark(false)));
        localA.publish("orders", "plain".getBytes(StandardCharsets.UTF_8));
        await().until(() -> atB.contains("plain"));
    }
}
