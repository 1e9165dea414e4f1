package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectOptionsTest {
    @Test
    void shouldSayWhichModuleIsMissingWhenNoTransportIsOnTheClassPath() {
        // ferry-core's own tests run without ferry-nsq
        assertThatThrownBy(() -> Bus.connect("127.0.0.1:4150"))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("ferry-nsq");
    }

    @Test
    void shouldNeedAnAddressAndCheckItsForm() {
        assertThatThrownBy(() -> ConnectOptions.builder().build()).hasMessageContaining("nsqd TCP address");
        assertThatThrownBy(() -> ConnectOptions.nsqd("no-port")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> ConnectOptions.nsqd("h:70000")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> ConnectOptions.nsqd("h:1")
                        .heartbeatInterval(Duration.ofMillis(500))
                        .build())
                .hasMessageContaining("heartbeatInterval");
    }

    @Test
    void shouldKeepGoNsqsDefaults() {
        ConnectOptions o = ConnectOptions.lookupd("[::1]:4161").build();
        assertThat(o.lookupdPollInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.rdyRedistributeInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.lowRdyIdleTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.failureBackoff()).contains(new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2)));
        assertThat(o.clientId()).isNotEmpty();
        assertThat(o.toBuilder().build().lookupdHttpAddresses()).containsExactly("[::1]:4161");
    }
}
