package dev.ferry.nsq.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.spi.MessageIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** A FIN's id is read eight bytes at a time: every id reads back, and every byte that is not lowercase hex is refused. */
class CommandLinesTest {

    private static Inbound.Answer answer(byte[] line) {
        ByteBuf in = Unpooled.wrappedBuffer(line);
        return CommandLines.answer(in, 0, line.length);
    }

    @Property(tries = 2000)
    void shouldReadEveryIdBack(@ForAll long id) {
        Inbound.Answer fin = answer(("FIN " + MessageIds.toHex(id)).getBytes(StandardCharsets.US_ASCII));

        assertThat(fin).isNotNull();
        assertThat(fin.messageId()).isEqualTo(id);
    }

    @Test
    void shouldTakeOnlyLowercaseHexDigitsAtEveryPlace() {
        for (int place = 0; place < 16; place++) {
            for (int b = 0; b < 256; b++) {
                byte[] line = "FIN 0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
                line[4 + place] = (byte) b;
                boolean hex = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f');

                Inbound.Answer fin = answer(line);

                assertThat(fin != null).as("byte 0x%02x at place %d", b, place).isEqualTo(hex);
                if (hex) {
                    long digit = Character.digit((char) b, 16);
                    long expected = (0x0123456789abcdefL & ~(0xFL << (60 - 4 * place))) | digit << (60 - 4 * place);
                    assertThat(fin.messageId()).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void shouldReadTheIdOfReqAndTouchToo() {
        assertThat(answer("TOUCH 00000000000000ff".getBytes(StandardCharsets.US_ASCII))
                        .messageId())
                .isEqualTo(255);
        Inbound.Answer req = answer("REQ ffffffffffffffff 100".getBytes(StandardCharsets.US_ASCII));
        assertThat(req.messageId()).isEqualTo(-1L);
        assertThat(req.timeout()).isEqualTo("100");
    }
}
