package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BusPublishSubscribeTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldDeliverPublishedMessagesInOrderToOneChannel() {
        try (Bus bus = Bus.embedded(dir)) {
            List<String> got = new CopyOnWriteArrayList<>();
            bus.subscribe("orders", "billing", m -> got.add(new String(m.body())));
            IntStream.range(0, 100).forEach(i -> bus.publish("orders", bytes("m" + i)));
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 100);
            assertThat(got)
                    .containsExactlyElementsOf(
                            IntStream.range(0, 100).mapToObj(i -> "m" + i).toList());
            await().untilAsserted(() -> assertThat(bus.admin()
                            .topic("orders")
                            .orElseThrow()
                            .channels()
                            .get(0)
                            .inFlight())
                    .isZero());
        }
    }
}
