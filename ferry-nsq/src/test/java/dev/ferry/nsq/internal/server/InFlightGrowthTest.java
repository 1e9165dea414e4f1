package dev.ferry.nsq.internal.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A RDY that raises the window while messages are in flight: they stay answerable and keep their
 * delivery order (the ring that holds them grows when it fills: InFlightRingTest).
 */
class InFlightGrowthTest {
    private final MutableClock clock = MutableClock.start();
    private final LocalEngine engine =
            LocalEngine.open(EmbeddedEngineConfig.memory().build(), clock);
    private final ServerOptions options = ServerOptions.defaults().withClock(clock);

    @AfterEach
    void close() {
        engine.close();
    }

    private List<EmbeddedClient.Got> deliverInTwoWindows(EmbeddedClient client) {
        done(engine.append(
                "t",
                List.of(
                        PublishRecord.of("a".getBytes()),
                        PublishRecord.of("b".getBytes()),
                        PublishRecord.of("c".getBytes()))));
        client.send("SUB t c\nRDY 1\n");
        List<EmbeddedClient.Got> first = client.frames();
        assertThat(first).extracting(EmbeddedClient.Got::text).containsExactly("OK", "a");
        client.send("RDY 100\n"); // a wider window over a message already in flight
        List<EmbeddedClient.Got> rest = client.frames();
        assertThat(rest).extracting(EmbeddedClient.Got::text).containsExactly("b", "c");
        return List.of(first.get(1), rest.get(0), rest.get(1));
    }

    @Test
    void shouldFinishMessagesDeliveredBeforeTheWindowGrew() {
        try (EmbeddedClient client = new EmbeddedClient(engine, options, null)) {
            List<EmbeddedClient.Got> messages = deliverInTwoWindows(client);

            for (EmbeddedClient.Got m : messages) {
                client.send("FIN " + m.id() + "\n");
            }
            assertThat(client.frames()).as("no error for any FIN").isEmpty();
            client.send("FIN " + messages.get(0).id() + "\n");
            assertThat(client.texts())
                    .containsExactly("E_FIN_FAILED FIN " + messages.get(0).id() + " failed ID not in flight");
        }
    }

    @Test
    void shouldRequeueInDeliveryOrderWhenTheClientGoes() {
        try (EmbeddedClient client = new EmbeddedClient(engine, options, null)) {
            deliverInTwoWindows(client);
        }
        try (EmbeddedClient next = new EmbeddedClient(engine, options, null)) {
            next.send("SUB t c\nRDY 100\n");
            assertThat(next.frames())
                    .extracting(EmbeddedClient.Got::text, EmbeddedClient.Got::attempts)
                    .containsExactly(tuple("OK", 0), tuple("a", 2), tuple("b", 2), tuple("c", 2));
        }
    }
}
