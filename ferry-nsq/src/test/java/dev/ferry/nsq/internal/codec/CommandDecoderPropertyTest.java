package dev.ferry.nsq.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * What a client sends is untrusted: whatever bytes arrive, however the network splits them, the
 * command decoder hands on {@link Inbound} values (commands, or a bad magic or an over-long line the
 * connection answers with an error and a close), never throws, never emits a body over its limits,
 * and decodes the same bytes the same way whatever the split.
 */
class CommandDecoderPropertyTest {
    private static final int MAX_MESSAGE = 100;
    private static final int MAX_BODY = 300;

    /** Random bytes after the magic, with plausible command lines and sizes mixed in. */
    @Provide
    Arbitrary<byte[]> input() {
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
        Arbitrary<byte[]> line = Arbitraries.of(
                        "PUB t\n",
                        "MPUB t\n",
                        "DPUB t 10\n",
                        "IDENTIFY\n",
                        "AUTH\n",
                        "SUB t c\n",
                        "RDY 5\n",
                        "FIN 0123456789abcdef\n",
                        "NOP\n",
                        "REQ x -1\r\n",
                        "\n",
                        " \n")
                .map(s -> s.getBytes(StandardCharsets.ISO_8859_1));
        Arbitrary<byte[]> size = Arbitraries.oneOf(
                        Arbitraries.integers().between(-2, 2 * MAX_BODY),
                        Arbitraries.of(Integer.MAX_VALUE, Integer.MIN_VALUE, 0))
                .map(n -> {
                    int v = n;
                    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
                });
        return Arbitraries.oneOf(noise, line, line, size).list().ofMaxSize(12).map(parts -> {
            List<byte[]> all = new ArrayList<>();
            all.add(CommandDecoder.MAGIC.getBytes(StandardCharsets.ISO_8859_1));
            all.addAll(parts);
            return concat(all);
        });
    }

    @Property(tries = 500)
    void decodesAnyBytesIntoInboundValuesWithinTheLimits(
            @ForAll("input") byte[] bytes, @ForAll @Size(max = 6) List<@IntRange(min = 1, max = 64) Integer> cuts) {
        List<Inbound> whole = decode(List.of(bytes));
        List<Inbound> split = decode(splitAt(bytes, cuts));

        for (Inbound in : whole) {
            if (in instanceof Inbound.Command c && c.body() != null) {
                int limit = c.name().equals("PUB") || c.name().equals("DPUB") ? MAX_MESSAGE : MAX_BODY;
                assertThat(c.body().length).isBetween(1, limit).isEqualTo(c.bodySize());
            }
        }
        assertThat(describe(split)).isEqualTo(describe(whole));
    }

    /** Command lines of words often seen after FIN, REQ and TOUCH, good and bad, without a body. */
    @Provide
    Arbitrary<String> line() {
        Arbitrary<String> word = Arbitraries.of(
                "FIN",
                "REQ",
                "TOUCH",
                "RDY",
                "0123456789abcdef",
                "00000000000000AB",
                "0123456789abcdeg",
                "5",
                "-1",
                "",
                "é",
                "x\r");
        return word.list().ofMinSize(1).ofMaxSize(5).map(words -> String.join(" ", words));
    }

    /**
     * However a line is read (FIN, REQ and TOUCH in their usual form straight from the bytes, the
     * rest as words), it means what splitting its text on single spaces gives, as nsqd reads it.
     */
    @Property(tries = 500)
    void readsEveryLineAsItsWordsSplitOnSingleSpaces(@ForAll("line") String line, @ForAll boolean crlf) {
        List<Inbound> got = decode(
                List.of((CommandDecoder.MAGIC + line + (crlf ? "\r\n" : "\n")).getBytes(StandardCharsets.UTF_8)));

        // as nsqd: the text before the newline, less one carriage return at its end
        String text = line + (crlf ? "\r" : "");
        String[] words = (text.endsWith("\r") ? text.substring(0, text.length() - 1) : text).split(" ", -1);
        Inbound.Command expected = new Inbound.Command(
                words[0], Arrays.asList(words).subList(1, words.length), Inbound.Command.NO_BODY, null);
        assertThat(got).hasSize(1);
        Inbound.Command read =
                got.getFirst() instanceof Inbound.Answer a ? a.toCommand() : (Inbound.Command) got.getFirst();
        assertThat(read).isEqualTo(expected);
    }

    private static List<Inbound> decode(List<byte[]> chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(new CommandDecoder(MAX_MESSAGE, MAX_BODY));
        try {
            for (byte[] chunk : chunks) {
                channel.writeInbound(Unpooled.wrappedBuffer(chunk)); // throws if the decoder does
            }
            List<Inbound> out = new ArrayList<>();
            for (Object o; (o = channel.readInbound()) != null; ) {
                out.add((Inbound) o);
            }
            return out;
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Inbound values compared by content (a command's body is an array). */
    private static List<String> describe(List<Inbound> values) {
        return values.stream()
                .map(v -> v instanceof Inbound.Command c
                        ? c.name() + c.params() + c.bodySize() + (c.body() == null ? "-" : Arrays.toString(c.body()))
                        : v.toString())
                .toList();
    }

    private static List<byte[]> splitAt(byte[] bytes, List<Integer> cuts) {
        List<byte[]> chunks = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            int to = Math.min(bytes.length, from + cut);
            chunks.add(Arrays.copyOfRange(bytes, from, to));
            from = to;
        }
        chunks.add(Arrays.copyOfRange(bytes, from, bytes.length));
        return chunks;
    }

    private static byte[] concat(List<byte[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
