package dev.ferry.nsq.internal.client;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Bus;
import dev.ferry.ChannelStats;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.NsqTcpServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Subscription#ready()} over NSQ: complete once the broker has the subscriber, not before. */
class SubscriptionReadyTest {
    @Test
    void shouldBeReadyOnceTheBrokerHasTheSubscriber() throws Exception {
        LocalEngine engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        NsqTcpServer tcp = NsqTcpServer.builder(engine).startTcp("127.0.0.1", 0);
        try (Bus bus =
                NsqBus.connect(ConnectOptions.nsqd("127.0.0.1:" + tcp.port()).build())) {
            Subscription subscription = bus.subscribe("orders", "billing", m -> {}, SubscribeOptions.maxInFlight(1));
            subscription.ready().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(done(engine.stats("orders")).orElseThrow().channels())
                    .extracting(ChannelStats::name, ChannelStats::consumers)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("billing", 1));
        } finally {
            tcp.close();
            engine.close();
        }
    }

    @Test
    void shouldNotBeReadyWhileNoBrokerCanBeReached() throws Exception {
        int port;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            port = closed.getLocalPort();
        }
        try (Bus bus = NsqBus.connect(ConnectOptions.nsqd("127.0.0.1:" + port).build())) {
            Subscription subscription = bus.subscribe("orders", "billing", m -> {}, SubscribeOptions.maxInFlight(1));
            subscription.close();
            assertThat(subscription.ready().toCompletableFuture()).isNotDone();
        }
    }
}
