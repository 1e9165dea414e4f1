package dev.ferry.nsq.internal.federation;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebSocketBytesTest {
    @Test
    void shouldSendWhatWasWrittenBetweenTwoFlushesAsOneFrame() {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketBytes());
        List<ChannelFuture> writes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            writes.add(ch.write(Unpooled.wrappedBuffer(new byte[] {(byte) i, (byte) (i >> 8)})));
        }
        assertThat((Object) ch.readOutbound())
                .as("nothing leaves before the flush")
                .isNull();
        assertThat(writes).noneMatch(ChannelFuture::isDone);

        ch.flush();

        List<BinaryWebSocketFrame> frames = frames(ch);
        assertThat(frames).hasSize(1);
        ByteBuf payload = frames.get(0).content();
        assertThat(payload.readableBytes()).isEqualTo(600);
        for (int i = 0; i < 300; i++) {
            assertThat(payload.readUnsignedShortLE()).isEqualTo(i & 0xffff);
        }
        assertThat(writes).allMatch(ChannelFuture::isSuccess);
        frames.forEach(WebSocketFrame::release);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldCutWhatIsLargerThanAFrameAcrossFramesInOrder() {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketBytes());
        byte[] big = new byte[WebSocketBytes.FRAME_BYTES * 2 + 10];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i % 251);
        }
        ChannelFuture written = ch.writeAndFlush(Unpooled.wrappedBuffer(big));

        List<BinaryWebSocketFrame> frames = frames(ch);
        assertThat(frames)
                .extracting(f -> f.content().readableBytes())
                .containsExactly(WebSocketBytes.FRAME_BYTES, WebSocketBytes.FRAME_BYTES, 10);
        ByteBuf joined = Unpooled.buffer();
        frames.forEach(f -> joined.writeBytes(f.content()));
        assertThat(joined.array()).startsWith(big);
        assertThat(written.isSuccess()).isTrue();
        frames.forEach(WebSocketFrame::release);
        joined.release();
    }

    @Test
    void shouldKeepAControlFrameBehindTheBytesWrittenBeforeIt() {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketBytes());
        ch.write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        ch.write(new PingWebSocketFrame());
        ch.write(Unpooled.wrappedBuffer(new byte[] {4}));
        ch.flush();

        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            out.add(o);
        }
        assertThat(out)
                .extracting(o -> o.getClass().getSimpleName())
                .containsExactly("BinaryWebSocketFrame", "PingWebSocketFrame", "BinaryWebSocketFrame");
        assertThat(((WebSocketFrame) out.get(0)).content().readableBytes()).isEqualTo(3);
        assertThat(((WebSocketFrame) out.get(2)).content().readableBytes()).isEqualTo(1);
        out.forEach(o -> ((WebSocketFrame) o).release());
    }

    @Test
    void shouldReleaseAndFailWhatIsHeldWhenTheChannelCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketBytes());
        ByteBuf held = Unpooled.buffer().writeBytes(new byte[] {1, 2, 3});
        ChannelFuture written = ch.write(held);

        ch.close();

        assertThat(written.isDone()).isTrue();
        assertThat(written.isSuccess()).isFalse();
        assertThat(held.refCnt()).isZero();
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void shouldPassTheBytesOfBinaryFramesOnAsTheyCame() {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketBytes());
        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {9, 8, 7})));

        ByteBuf read = ch.readInbound();
        assertThat(read.readableBytes()).isEqualTo(3);
        assertThat(read.getByte(0)).isEqualTo((byte) 9);
        read.release();
    }

    private static List<BinaryWebSocketFrame> frames(EmbeddedChannel ch) {
        List<BinaryWebSocketFrame> frames = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            frames.add((BinaryWebSocketFrame) o);
        }
        return frames;
    }
}
