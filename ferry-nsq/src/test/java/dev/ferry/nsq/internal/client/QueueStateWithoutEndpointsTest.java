package dev.ferry.nsq.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Bus;
import dev.ferry.NotSupportedException;
import dev.ferry.busmq.BusQueue;
import dev.ferry.busmq.Duplex;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queue state against a broker without the {@code /queue/*} endpoints (as a plain nsqd). */
class QueueStateWithoutEndpointsTest {
    @TempDir
    Path dir;

    @Test
    void shouldFailClearlyAgainstABrokerThatAnswers404() {
        try (QueueBroker broker = new QueueBroker(dir, MutableClock.start(), false);
                Bus bus = broker.connect()) {
            BusQueue q = BusQueue.of(bus, "jobs");
            assertThatThrownBy(q::attach)
                    .isInstanceOf(NotSupportedException.class)
                    .hasMessageContaining("attach")
                    .hasMessageContaining("'jobs'")
                    .hasMessageContaining("404")
                    .hasMessageContaining("nsqd has no such endpoint");
            assertThat(q.isAttached()).isFalse();
            assertThatThrownBy(q::exists)
                    .isInstanceOf(NotSupportedException.class)
                    .hasMessageContaining("state");
            assertThatThrownBy(() -> q.metadata("k", "v")).isInstanceOf(NotSupportedException.class);
            assertThatThrownBy(q::destroy).isInstanceOf(NotSupportedException.class);
            assertThatThrownBy(() -> Duplex.of(bus, "bar").connect()).isInstanceOf(NotSupportedException.class);
        }
    }

    @Test
    void shouldSayWhatIsMissingWithoutAnHttpAddress() {
        try (QueueBroker broker = new QueueBroker(dir, MutableClock.start(), true);
                Bus bus = NsqBus.connect(ConnectOptions.nsqd("127.0.0.1:1").build())) {
            assertThatThrownBy(() -> BusQueue.of(bus, "jobs").attach(Duration.ofSeconds(1)))
                    .isInstanceOf(NotSupportedException.class)
                    .hasMessageContaining("BusQueue attach")
                    .hasMessageContaining("nsqdHttp");
        }
    }
}
