package dev.ferry.nsq.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandDecoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new CommandDecoder(100, 300));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    private static ByteBuf withBody(String line, byte[] body) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeCharSequence(line, StandardCharsets.ISO_8859_1);
        buf.writeInt(body.length);
        buf.writeBytes(body);
        return buf;
    }

    private List<Inbound> inbound() {
        List<Inbound> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add((Inbound) o);
        }
        return out;
    }

    @Test
    void shouldReadCommandsAfterTheMagic() {
        channel.writeInbound(bytes("  V2NOP\nRDY 10\r\nSUB orders billing\n"));
        assertThat(inbound())
                .containsExactly(
                        new Inbound.Command("NOP", List.of(), Inbound.Command.NO_BODY, null),
                        new Inbound.Command("RDY", List.of("10"), Inbound.Command.NO_BODY, null),
                        new Inbound.Command("SUB", List.of("orders", "billing"), Inbound.Command.NO_BODY, null));
    }

    @Test
    void shouldReadTheUsualFinReqAndTouchWithTheirIdsAsNumbers() {
        channel.writeInbound(bytes("  V2FIN 0123456789abcdef\nREQ 00000000000000ff -5\r\nTOUCH ffffffffffffffff\n"));
        assertThat(inbound())
                .containsExactly(
                        new Inbound.Answer("FIN", 0x0123456789abcdefL, null),
                        new Inbound.Answer("REQ", 0xffL, "-5"),
                        new Inbound.Answer("TOUCH", -1L, null));
    }

    @Test
    void shouldLeaveEveryOtherFormOfFinReqAndTouchToTheHandlerAsWords() {
        channel.writeInbound(bytes("  V2FIN 0123456789ABCDEF\nFIN 0123456789abcdef \nREQ 0123456789abcdef\n"
                + "REQ 0123456789abcdef 1 2\nTOUCH 0123456789abcde\nFIN\n"));
        assertThat(inbound())
                .containsExactly(
                        new Inbound.Command("FIN", List.of("0123456789ABCDEF"), Inbound.Command.NO_BODY, null),
                        new Inbound.Command("FIN", List.of("0123456789abcdef", ""), Inbound.Command.NO_BODY, null),
                        new Inbound.Command("REQ", List.of("0123456789abcdef"), Inbound.Command.NO_BODY, null),
                        new Inbound.Command(
                                "REQ", List.of("0123456789abcdef", "1", "2"), Inbound.Command.NO_BODY, null),
                        new Inbound.Command("TOUCH", List.of("0123456789abcde"), Inbound.Command.NO_BODY, null),
                        new Inbound.Command("FIN", List.of(), Inbound.Command.NO_BODY, null));
    }

    @Test
    void shouldSplitParametersOnSingleSpacesAsNsqdDoes() {
        channel.writeInbound(bytes("  V2REQ  id 5 \n"));
        assertThat(inbound())
                .containsExactly(new Inbound.Command("REQ", List.of("", "id", "5", ""), Inbound.Command.NO_BODY, null));
    }

    @Test
    void shouldReadBodiesWhateverTheSegmentation() {
        ByteBuf all = Unpooled.buffer();
        all.writeBytes(bytes("  V2"));
        all.writeBytes(withBody("PUB orders\n", "hello".getBytes(StandardCharsets.UTF_8)));
        all.writeBytes(bytes("NOP\n"));
        while (all.isReadable()) {
            channel.writeInbound(all.readRetainedSlice(1));
        }
        all.release();
        List<Inbound> got = inbound();
        assertThat(got).hasSize(2);
        Inbound.Command pub = (Inbound.Command) got.get(0);
        assertThat(pub.name()).isEqualTo("PUB");
        assertThat(pub.params()).containsExactly("orders");
        assertThat(new String(pub.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(got.get(1)).isEqualTo(new Inbound.Command("NOP", List.of(), Inbound.Command.NO_BODY, null));
    }

    @Test
    void shouldRefuseABodyOverTheMessageLimitWithoutReadingIt() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(bytes("  V2PUB t\n"));
        buf.writeInt(101);
        buf.writeBytes(new byte[101]);
        buf.writeBytes(bytes("NOP\n"));
        channel.writeInbound(buf);
        List<Inbound> got = inbound();
        assertThat(got).hasSize(1);
        Inbound.Command pub = (Inbound.Command) got.get(0);
        assertThat(pub.bodyRefused()).isTrue();
        assertThat(pub.bodySize()).isEqualTo(101);
    }

    @Test
    void shouldAllowBiggerBodiesForMpubUpToTheBodyLimit() {
        channel.writeInbound(bytes("  V2"));
        channel.writeInbound(withBody("MPUB t\n", new byte[300]));
        Inbound.Command mpub = (Inbound.Command) inbound().get(0);
        assertThat(mpub.body()).hasSize(300);
        channel.writeInbound(withBody("MPUB t\n", new byte[301]));
        assertThat(((Inbound.Command) inbound().get(0)).bodyRefused()).isTrue();
    }

    @Test
    void shouldRefuseAnEmptyBody() {
        channel.writeInbound(withBody("  V2PUB t\n", new byte[0]));
        Inbound.Command pub = (Inbound.Command) inbound().get(0);
        assertThat(pub.bodyRefused()).isTrue();
        assertThat(pub.bodySize()).isZero();
    }

    @Test
    void shouldKeepANegativeBodySizeAsSentSoTheErrorNamesIt() {
        ByteBuf bytes = Unpooled.buffer();
        bytes.writeBytes("  V2PUB t\n".getBytes(StandardCharsets.US_ASCII)).writeInt(-1);
        channel.writeInbound(bytes);
        Inbound.Command pub = (Inbound.Command) inbound().get(0);
        assertThat(pub.bodyRefused()).isTrue();
        assertThat(pub.bodySize()).isEqualTo(-1);
    }

    @Test
    void shouldReportABadMagicAndIgnoreTheRest() {
        channel.writeInbound(bytes("  V1NOP\n"));
        assertThat(inbound()).containsExactly(new Inbound.BadMagic("  V1"));
    }

    @Test
    void shouldReportALineThatNeverEnds() {
        channel.writeInbound(bytes("  V2" + "X".repeat(CommandDecoder.MAX_LINE + 1)));
        assertThat(inbound()).containsExactly(new Inbound.LineTooLong(CommandDecoder.MAX_LINE));
    }

    @Test
    void shouldHandIdentifyOnBeforeDecodingWhatFollowsSoAnUpgradeCanDropIt() {
        CommandDecoder decoder = new CommandDecoder(100, 300);
        List<String> seen = new ArrayList<>();
        EmbeddedChannel upgrading = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                Inbound.Command c = (Inbound.Command) msg;
                seen.add(c.name());
                if (c.name().equals("IDENTIFY")) {
                    decoder.discardBuffered(); // as the protocol handler does when it upgrades
                }
            }
        });
        ByteBuf buf = withBody("  V2IDENTIFY\n", "{}".getBytes(StandardCharsets.UTF_8));
        buf.writeCharSequence("NOP\nPUB t\n\0\0", StandardCharsets.ISO_8859_1);
        upgrading.writeInbound(buf);
        assertThat(seen).containsExactly("IDENTIFY");
        upgrading.writeInbound(bytes("NOP\n"));
        assertThat(seen).as("nothing half read is left behind").containsExactly("IDENTIFY", "NOP");
        upgrading.finishAndReleaseAll();

        // without an upgrade, what follows IDENTIFY is read as usual
        ByteBuf plain = withBody("  V2IDENTIFY\n", "{}".getBytes(StandardCharsets.UTF_8));
        plain.writeCharSequence("NOP\n", StandardCharsets.ISO_8859_1);
        channel.writeInbound(plain);
        assertThat(inbound()).extracting(i -> ((Inbound.Command) i).name()).containsExactly("IDENTIFY", "NOP");
    }
}
