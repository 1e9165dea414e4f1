package dev.ferry.nsq.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MpubBodyTest {
    private static byte[] body(int count, byte[]... messages) {
        int size = 4;
        for (byte[] m : messages) {
            size += 4 + m.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(count);
        for (byte[] m : messages) {
            b.putInt(m.length).put(m);
        }
        return b.array();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadEveryMessage() {
        List<byte[]> got = MpubBody.parse(body(2, text("a"), text("bc")), 100, 1000);
        assertThat(got).extracting(b -> new String(b, StandardCharsets.UTF_8)).containsExactly("a", "bc");
    }

    @Test
    void shouldRefuseBadCountsWithNsqdsTexts() {
        assertThatThrownBy(() -> MpubBody.parse(new byte[2], 100, 1000))
                .hasMessage("E_BAD_BODY MPUB failed to read message count");
        assertThatThrownBy(() -> MpubBody.parse(body(0), 100, 1000))
                .hasMessage("E_BAD_BODY MPUB invalid message count 0");
        // at most (maxBodySize - 4) / 5 messages fit
        assertThatThrownBy(() -> MpubBody.parse(body(200, text("a")), 100, 1000))
                .hasMessage("E_BAD_BODY MPUB invalid message count 200");
    }

    @Test
    void shouldRefuseBadMessagesWithNsqdsTexts() {
        assertThatThrownBy(() -> MpubBody.parse(body(2, text("a")), 100, 1000))
                .hasMessage("E_BAD_MESSAGE MPUB failed to read message(1) body size");
        assertThatThrownBy(() -> MpubBody.parse(body(1, new byte[0]), 100, 1000))
                .hasMessage("E_BAD_MESSAGE MPUB invalid message(0) body size 0");
        assertThatThrownBy(() -> MpubBody.parse(body(1, new byte[101]), 100, 1000))
                .isInstanceOfSatisfying(NsqError.class, e -> {
                    assertThat(e.code()).isEqualTo("E_BAD_MESSAGE");
                    assertThat(e.description()).isEqualTo("MPUB message too big 101 > 100");
                    assertThat(e.isFatal()).isTrue();
                });
        byte[] cut =
                ByteBuffer.allocate(10).putInt(1).putInt(5).put(new byte[2]).array();
        assertThatThrownBy(() -> MpubBody.parse(cut, 100, 1000))
                .hasMessage("E_BAD_MESSAGE MPUB failed to read message body");
    }
}
