package dev.ferry.nsq.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private ByteBuf written(Frame frame) {
        channel.writeOutbound(frame);
        return channel.readOutbound();
    }

    @Test
    void shouldFrameAResponse() {
        ByteBuf buf = written(Frame.OK);
        assertThat(buf.readInt()).isEqualTo(6);
        assertThat(buf.readInt()).isEqualTo(Frame.TYPE_RESPONSE);
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("OK");
        buf.release();
    }

    @Test
    void shouldFrameAnErrorAsCodeAndDescription() {
        ByteBuf buf = written(new Frame.Error("E_FIN_FAILED", "FIN 0123456789abcdef failed ID not in flight"));
        String text = "E_FIN_FAILED FIN 0123456789abcdef failed ID not in flight";
        assertThat(buf.readInt()).isEqualTo(4 + text.length());
        assertThat(buf.readInt()).isEqualTo(Frame.TYPE_ERROR);
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo(text);
        buf.release();
        ByteBuf bare = written(new Frame.Error("E_BAD_PROTOCOL", ""));
        bare.skipBytes(8);
        assertThat(bare.toString(StandardCharsets.UTF_8)).isEqualTo("E_BAD_PROTOCOL");
        bare.release();
    }

    @Test
    void shouldFrameAMessage() {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = written(new Frame.Message(1_700_000_000_123_456_789L, 2, "0123456789abcdef", body));
        assertThat(buf.readInt()).isEqualTo(4 + 8 + 2 + 16 + 5);
        assertThat(buf.readInt()).isEqualTo(Frame.TYPE_MESSAGE);
        assertThat(buf.readLong()).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(buf.readUnsignedShort()).isEqualTo(2);
        assertThat(buf.readCharSequence(16, StandardCharsets.US_ASCII).toString())
                .isEqualTo("0123456789abcdef");
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        buf.release();
    }
}
