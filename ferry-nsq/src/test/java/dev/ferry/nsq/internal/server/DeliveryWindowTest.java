package dev.ferry.nsq.internal.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery window against an engine whose consumer claims are answered by the test: a signal
 * from the engine that arrives while a claim is out is not lost.
 */
class DeliveryWindowTest {
    private final MutableClock clock = MutableClock.start();
    private final LocalEngine local =
            LocalEngine.open(EmbeddedEngineConfig.memory().build(), clock);
    /** The claims the connection made, answered by the test. */
    private final List<CompletableFuture<List<Lease>>> claims = new ArrayList<>();

    private Engine.ConsumerListener listener;
    private Engine.Consumer registered;

    /** The in-memory engine, except that a consumer's claims wait in {@link #claims}. */
    private final Engine engine = (Engine) Proxy.newProxyInstance(
            Engine.class.getClassLoader(), new Class<?>[] {Engine.class}, (proxy, method, args) -> {
                if (method.getName().equals("register")) {
                    listener = (Engine.ConsumerListener) args[2];
                    registered = local.register((String) args[0], (String) args[1], listener);
                    return new Engine.Consumer() {
                        @Override
                        public CompletionStage<List<Lease>> claim(int max, Duration timeout) {
                            CompletableFuture<List<Lease>> claim = new CompletableFuture<>();
                            claims.add(claim);
                            return claim;
                        }

                        @Override
                        public void close() {
                            registered.close();
                        }
                    };
                }
                try {
                    return method.invoke(local, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    private final EmbeddedClient client =
            new EmbeddedClient(engine, ServerOptions.defaults().withClock(clock), null);

    @AfterEach
    void close() {
        client.close();
        local.close();
    }

    @Test
    void shouldClaimAgainWhenTheEngineSignalledWhileAnEmptyClaimWasOut() {
        client.send("SUB events audit\nRDY 1\n");
        assertThat(client.frames()).extracting(EmbeddedClient.Got::text).containsExactly("OK");
        int before = claims.size();
        assertThat(before).as("claims out after RDY").isPositive();

        // a publish lands after the outstanding claim looked, and the engine says so before it returns
        done(local.append("events", List.of(PublishRecord.of("late".getBytes()))));
        listener.available();
        client.frames();
        claims.getLast().complete(List.of());
        client.frames();

        assertThat(claims).as("a claim after the signal").hasSizeGreaterThan(before);
        claims.getLast().complete(done(registered.claim(1, Duration.ofSeconds(60))));
        assertThat(client.frames()).singleElement().satisfies(got -> {
            assertThat(got.type()).isEqualTo(Frame.TYPE_MESSAGE);
            assertThat(got.text()).isEqualTo("late");
        });
    }
}
