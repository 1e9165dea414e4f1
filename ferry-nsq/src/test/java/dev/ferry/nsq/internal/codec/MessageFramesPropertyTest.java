package dev.ferry.nsq.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.spi.MessageIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** A message frame laid straight into a buffer is byte for byte the frame the encoder makes. */
class MessageFramesPropertyTest {

    @Property(tries = 300)
    void writesTheSameBytesAsTheFrameEncoder(
            @ForAll long id,
            @ForAll long timestamp,
            @ForAll @IntRange(min = 0, max = 0xFFFF) int attempts,
            @ForAll @Size(max = 300) byte[] body) {
        EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        channel.writeOutbound(new Frame.Message(timestamp, attempts, MessageIds.toHex(id), body));
        ByteBuf encoded = channel.readOutbound();
        ByteBuf direct = Unpooled.buffer(1); // grown by the writer as needed
        try {
            MessageFrames.write(direct, timestamp, attempts, id, body);

            assertThat(direct.readableBytes()).isEqualTo(MessageFrames.size(body.length));
            assertThat(ByteBufUtil.getBytes(direct)).isEqualTo(ByteBufUtil.getBytes(encoded));
        } finally {
            encoded.release();
            direct.release();
            channel.finishAndReleaseAll();
        }
    }
}
