package dev.ferry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BusConnectTest {
    @Test
    void shouldSayWhichModuleIsMissingWhenNoTransportIsOnTheClassPath() {
        // ferry-core's own tests run without ferry-nsq
        assertThatThrownBy(() -> Bus.connect("127.0.0.1:4150"))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("ferry-nsq");
    }

    @Test
    void shouldNeedAnAddress() {
        assertThatThrownBy(Bus::connect)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nsqd TCP address");
    }
}
