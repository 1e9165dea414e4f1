package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.busmq.BusQueue;
import dev.ferry.internal.bus.LocalBus;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.spi.Engine;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An engine may lack the optional capabilities (queue state, dead letters): asking for one fails
 * with a {@link NotSupportedException} that names the engine and what it does not do, while the rest
 * of the bus works.
 */
class EngineCapabilitiesTest {

    /**
     * A small engine with topics and channels only: the in-memory engine behind a proxy that hides
     * the optional capabilities, so their methods fall back on the {@link Engine} defaults.
     */
    private static Engine bareEngine() {
        LocalEngine inner = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        Set<String> hidden = Set.of("queueState", "setDeadLetter", "capabilities", "name");
        InvocationHandler handler = (proxy, method, args) -> {
            if (hidden.contains(method.getName())) {
                if (method.getName().equals("name")) {
                    return "bare:";
                }
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            return call(inner, method, args);
        };
        return (Engine) Proxy.newProxyInstance(Engine.class.getClassLoader(), new Class<?>[] {Engine.class}, handler);
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void shouldSayWhichEngineKeepsNoQueueState() {
        try (Bus bus = LocalBus.over(BusConfig.defaults(), bareEngine())) {
            bus.publish("plain", "still works".getBytes(StandardCharsets.UTF_8));
            assertThat(bus.admin().topic("plain")).isPresent();
            BusQueue queue = BusQueue.of(bus, "jobs");
            assertThatThrownBy(queue::attach)
                    .isInstanceOf(NotSupportedException.class)
                    .hasMessage("the engine bare: does not keep queue state (busmq queues need it)");
        }
    }

    @Test
    void shouldSayWhichEngineMovesNoDeadLetters() {
        try (Bus bus = LocalBus.over(BusConfig.defaults(), bareEngine())) {
            bus.admin().createChannel("orders", "billing");
            assertThatThrownBy(() -> bus.admin().setDeadLetter("orders", "billing", DeadLetter.after(3)))
                    .isInstanceOf(NotSupportedException.class)
                    .hasMessage("the engine bare: does not move messages to dead-letter topics"
                            + " (dead-letter policies need it)");
        }
    }

    @Test
    void shouldListTheCapabilitiesOfTheEmbeddedEngine() {
        try (Engine engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
                Engine bare = bareEngine()) {
            assertThat(engine.capabilities())
                    .containsExactlyInAnyOrder(Engine.Capability.QUEUE_STATE, Engine.Capability.DEAD_LETTERS);
            assertThat(bare.capabilities()).isEmpty();
        }
    }
}
