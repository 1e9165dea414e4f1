package dev.ferry.nsq.internal.server;

import static dev.ferry.nsq.internal.server.EmbeddedClient.command;
import static dev.ferry.nsq.internal.server.EmbeddedClient.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Message frames go out when the connection has nothing more to send at that moment, and earlier
 * once {@code output_buffer_size} bytes are waiting.
 */
class V2OutputBufferTest {
    private final MutableClock clock = new MutableClock(1_000_000);
    private final LocalEngine engine =
            LocalEngine.open(EmbeddedEngineConfig.memory().build(), clock);
    private final ServerOptions options = ServerOptions.defaults().withClock(clock);

    @AfterEach
    void close() {
        engine.close();
    }

    /** Flushes made while the client takes {@code messages} messages of 100 bytes. */
    private int flushesToDeliver(int messages, String identify) {
        List<PublishRecord> batch = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            batch.add(PublishRecord.of(new byte[100]));
        }
        engine.append("t", batch).join();
        try (EmbeddedClient client = new EmbeddedClient(engine, options, null)) {
            client.send(command("IDENTIFY\n", utf8(identify)));
            client.send("SUB t c\n");
            assertThat(client.texts()).containsOnly("OK");
            AtomicInteger flushes = new AtomicInteger();
            client.channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                @Override
                public void flush(ChannelHandlerContext ctx) {
                    flushes.incrementAndGet();
                    ctx.flush();
                }
            });
            client.send("RDY 100\n");
            assertThat(client.frames()).hasSize(messages);
            return flushes.get();
        }
    }

    @Test
    void shouldFlushOnceWhenEverythingFitsTheBuffer() {
        assertThat(flushesToDeliver(10, "{}")).isEqualTo(1);
    }

    @Test
    void shouldFlushEachTimeTheNegotiatedBufferFills() {
        // a frame of a 100-byte message is 134 bytes: the 300-byte buffer fills every third frame
        assertThat(flushesToDeliver(10, "{\"output_buffer_size\":300}")).isEqualTo(4);
    }

    @Test
    void shouldFlushEveryFrameWhenBufferingIsTurnedOff() {
        assertThat(flushesToDeliver(5, "{\"output_buffer_size\":-1}")).isEqualTo(5);
    }
}
