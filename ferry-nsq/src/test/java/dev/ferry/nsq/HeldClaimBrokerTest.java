package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection whose claim is still out when the engine signals new messages claims again once the
 * claim is back: the signal is not lost (it was, and a message published then waited for the next
 * publish or for ever).
 */
class HeldClaimBrokerTest {
    private final LocalEngine real =
            LocalEngine.open(EmbeddedEngineConfig.memory().build());
    private final CompletableFuture<Void> release = new CompletableFuture<>();
    private final AtomicInteger claims = new AtomicInteger();
    private NsqTcpServer server;

    @BeforeEach
    void start() {
        server = NsqTcpServer.builder(holdingFirstClaim()).startTcp("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        release.complete(null);
        server.close();
        real.close();
    }

    @Test
    void shouldClaimAgainWhenMessagesCameWhileAClaimWasOut() throws Exception {
        try (WireClient consumer = new WireClient(server.port());
                WireClient producer = new WireClient(server.port())) {
            assertThat(consumer.send("IDENTIFY\n", "{\"heartbeat_interval\":1000}"))
                    .isEqualTo("OK");
            assertThat(consumer.send("SUB events audit\nRDY 1\n", null)).isEqualTo("OK");
            await().until(() -> claims.get() == 1); // made before the publish: it finds nothing

            assertThat(producer.send("PUB events\n", "late")).isEqualTo("OK");
            release.complete(null);

            // without a second claim the next frame is a heartbeat, a second later
            WireClient.Frame next = consumer.read();
            assertThat(next.type())
                    .as("frame type (2: a message; 0: a heartbeat, " + next.text() + ")")
                    .isEqualTo(2);
            assertThat(next.body()).isEqualTo("late");
            assertThat(claims.get()).isGreaterThanOrEqualTo(2);
        }
    }

    /** The real engine, except that the first claim of a consumer completes only on {@link #release}. */
    private Engine holdingFirstClaim() {
        return proxy(Engine.class, real, (method, args) -> {
            Object result = call(method, real, args);
            if (!method.getName().equals("register")) {
                return result;
            }
            Engine.Consumer consumer = (Engine.Consumer) result;
            return proxy(Engine.Consumer.class, consumer, (m, a) -> {
                Object answer = call(m, consumer, a);
                if (!m.getName().equals("claim")) {
                    return answer;
                }
                @SuppressWarnings("unchecked")
                CompletionStage<List<Lease>> claimed = (CompletionStage<List<Lease>>) answer;
                return claims.incrementAndGet() == 1 ? claimed.thenCombine(release, (leases, x) -> leases) : claimed;
            });
        });
    }

    private interface Call {
        Object apply(Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, T target, Call call) {
        return type.cast(Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> call.apply(method, args)));
    }

    private static Object call(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
