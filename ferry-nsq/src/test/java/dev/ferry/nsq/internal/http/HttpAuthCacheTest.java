package dev.ferry.nsq.internal.http;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.AuthSettings;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.server.AuthClient;
import dev.ferry.nsq.internal.server.ClientRegistry;
import dev.ferry.nsq.testing.TestAuthService;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API's auth answers are held in a bounded cache that counts what it evicts. */
class HttpAuthCacheTest {
    private static final String GRANT =
            "{\"ttl\":3600,\"authorizations\":[{\"topic\":\".*\",\"channels\":[\".*\"],\"permissions\":[\"publish\"]}]}";

    private TestAuthService service;
    private LocalEngine engine;
    private NsqHttpHandler handler;
    private EmbeddedChannel channel;

    @BeforeEach
    void start() throws Exception {
        service = TestAuthService.start(Map.of("one", GRANT, "two", GRANT), "{\"message\":\"NO\"}");
        engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        handler = new NsqHttpHandler(
                engine,
                ServerOptions.defaults(),
                Map.of(),
                new ClientRegistry(),
                new HttpAuthGuard(authClient(service.client()), new AuthAnswerCache(1)),
                false,
                0,
                List.of(),
                AdminOptions.NONE);
        channel = new EmbeddedChannel(handler);
    }

    private static AuthClient authClient(AuthSettings settings) {
        return new AuthClient(
                settings.httpAddresses(), Clock.systemUTC(), settings.connectTimeout(), settings.requestTimeout());
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
        handler.shutdown();
        engine.close();
        service.close();
    }

    /** Publishes with {@code secret}; the status once the auth service (or the cache) answered. */
    private int publish(String secret) {
        channel.writeInbound(new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                "/pub?topic=t&secret=" + secret,
                Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)));
        AtomicReference<FullHttpResponse> out = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            channel.runPendingTasks();
            out.set(channel.readOutbound());
            return out.get() != null;
        });
        try {
            return out.get().status().code();
        } finally {
            out.get().release();
        }
    }

    @Test
    void shouldEvictTheOlderAnswerWhenTheCacheIsFullAndStillAuthorize() {
        assertThat(publish("one")).isEqualTo(200);
        assertThat(publish("one")).isEqualTo(200);
        assertThat(handler.authAnswerEvictions()).isZero();
        assertThat(publish("two")).isEqualTo(200);
        assertThat(handler.authAnswerEvictions()).isEqualTo(1);
        // one was evicted: asked again, and two makes room for it
        assertThat(publish("one")).isEqualTo(200);
        assertThat(handler.authAnswerEvictions()).isEqualTo(2);
        assertThat(done(engine.stats("t")).orElseThrow().messageCount()).isEqualTo(4);
    }
}
