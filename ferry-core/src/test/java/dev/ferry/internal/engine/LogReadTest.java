package dev.ferry.internal.engine;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consumers reading a backlog from the segment files, not from memory, one message at a time. */
class LogReadTest {
    @TempDir
    Path dir;

    private static byte[] body(int i, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(i);
        while (b.hasRemaining()) {
            b.put((byte) i);
        }
        return b.array();
    }

    @Test
    void shouldReadABacklogFromTheFilesInOrderWhateverTheRecordSizes() {
        EmbeddedEngineConfig config = EmbeddedEngineConfig.file(dir)
                .minFreeDiskBytes(0)
                .segmentBytes(1 << 20)
                .build();
        int count = 3000;
        try (LocalEngine engine = LocalEngine.open(config)) {
            done(engine.createChannel("t", "a"));
            done(engine.createChannel("t", "b"));
            for (int i = 0; i < count; i++) {
                // mostly small, now and then one larger than the 256 KiB read chunk
                int size = i % 500 == 7 ? 300_000 : 100 + i % 50;
                engine.append("t", List.of(PublishRecord.of(body(i, size)))).join();
            }
        }
        try (LocalEngine engine = LocalEngine.open(config)) {
            // two channels at different places take turns, so reads jump between positions
            int a = 0;
            int b = 0;
            while (a < count || b < count) {
                for (Lease l : done(engine.claim("t", "a", 1, Duration.ofMinutes(5)))) {
                    assertThat(ByteBuffer.wrap(l.body()).getInt()).isEqualTo(a++);
                    done(engine.ack(l));
                }
                for (Lease l : done(engine.claim("t", "b", 7, Duration.ofMinutes(5)))) {
                    assertThat(ByteBuffer.wrap(l.body()).getInt()).isEqualTo(b++);
                    done(engine.ack(l));
                }
            }
            assertThat(done(engine.claim("t", "a", 10, Duration.ofMinutes(5)))).isEmpty();
        }
    }
}
