package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Backoff;
import dev.ferry.Bus;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class ConnectOptionsTest {
    @Test
    void shouldNeedAnAddressAndCheckItsForm() {
        assertThatThrownBy(() -> ConnectOptions.builder().build()).hasMessageContaining("nsqd TCP address");
        assertThatThrownBy(() -> ConnectOptions.nsqd("no-port")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> ConnectOptions.nsqd("h:70000")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> DiscoveryOptions.builder().lookupd("h")).hasMessageContaining("lookupd HTTP address");
    }

    @Test
    void shouldNameTheSettingAndItsValueWhenAGroupIsInvalid() {
        assertThatThrownBy(() -> TimeoutOptions.builder()
                        .heartbeatInterval(Duration.ofMillis(500))
                        .build())
                .hasMessageContaining("heartbeatInterval")
                .hasMessageContaining("PT0.5S");
        assertThatThrownBy(() ->
                        SocketOptions.builder().connectTimeout(Duration.ZERO).build())
                .hasMessageContaining("connectTimeout must be positive");
        assertThatThrownBy(() -> CompressionOptions.deflate(10))
                .hasMessageContaining("deflateLevel must be within 1..9");
        assertThatThrownBy(() -> DiscoveryOptions.builder()
                        .nsqd("h:1")
                        .lookupdPoll(Duration.ofSeconds(1), 1.5)
                        .build())
                .hasMessageContaining("lookupdPollJitter");
        assertThatThrownBy(() ->
                        PublishOptions.builder().linger(Duration.ofMillis(-1)).build())
                .hasMessageContaining("linger must not be negative");
        assertThatThrownBy(() -> PublishOptions.builder().batch(0, 1).build())
                .hasMessageContaining("batchMessages must be positive, got 0");
        assertThatThrownBy(() -> ConnectOptions.nsqd("h:1").handlerThreads(0).build())
                .hasMessageContaining("handlerThreads must be positive");
    }

    @Test
    void shouldKeepGoNsqsDefaults() {
        ConnectOptions o = ConnectOptions.lookupd("[::1]:4161").build();
        assertThat(o.discovery().lookupdPollInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.discovery().lookupdPollJitter()).isEqualTo(0.3);
        assertThat(o.flowControl().rdyRedistributeInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.flowControl().lowRdyIdleTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.flowControl().failureBackoff())
                .contains(new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2)));
        assertThat(o.timeouts().heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.socket().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.publishing().maxBodySize()).isEqualTo(5 << 20);
        assertThat(o.compression().algorithm()).isEqualTo(CompressionOptions.Algorithm.NONE);
        assertThat(o.identity().clientId()).isNotEmpty();
        assertThat(o.identity().userAgent()).isEqualTo("ferry-java");
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThat(o.toBuilder().build().discovery().lookupdHttpAddresses()).containsExactly("[::1]:4161");
    }

    @Test
    void shouldDeriveTheClientIdFromTheHostName() {
        IdentityOptions identity =
                IdentityOptions.builder().hostname("worker-7.example.org").build();
        assertThat(identity.clientId()).isEqualTo("worker-7");
    }

    @Test
    void shouldKeepTheGroupsSetAndTheAddressesAddedAfterThem() {
        TimeoutOptions timeouts = TimeoutOptions.builder()
                .heartbeatInterval(Duration.ofSeconds(2))
                .build();
        ConnectOptions o = ConnectOptions.builder()
                .discovery(DiscoveryOptions.builder().nsqd("a:1").build())
                .nsqd("b:2")
                .timeouts(timeouts)
                .compression(CompressionOptions.snappy())
                .build();
        assertThat(o.discovery().nsqdTcpAddresses()).containsExactly("a:1", "b:2");
        assertThat(o.timeouts()).isEqualTo(timeouts);
        assertThat(o.compression().algorithm()).isEqualTo(CompressionOptions.Algorithm.SNAPPY);
    }

    @Test
    void shouldNotShowTheAuthSecret() throws Exception {
        SecurityOptions security = SecurityOptions.builder()
                .authSecret("hunter2")
                .tls(SSLContext.getDefault())
                .build();
        ConnectOptions o = ConnectOptions.nsqd("h:1").security(security).build();
        assertThat(security.toString()).doesNotContain("hunter2").contains("tls=true");
        assertThat(o.toString()).doesNotContain("hunter2").contains("auth=true");
    }

    @Test
    void shouldFindTheNsqTransportForTheShortForm() {
        // connections are made when first needed, so nothing listens on the address
        try (Bus bus = Bus.connect("127.0.0.1:1")) {
            assertThat(bus.getClass().getName()).isEqualTo("dev.ferry.nsq.internal.client.NsqClientBus");
        }
    }
}
