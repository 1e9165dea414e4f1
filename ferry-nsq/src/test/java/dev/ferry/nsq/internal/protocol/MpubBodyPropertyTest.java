package dev.ferry.nsq.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * An MPUB body (TCP, and HTTP {@code /mpub?binary=true}) is untrusted: its count and sizes may lie.
 * Parsing gives back exactly the messages the bytes hold, or an NSQ error, and allocates in
 * proportion to the bytes it was given, never to a count or size they do not back.
 */
class MpubBodyPropertyTest {
    private static final int MAX_MSG = 1 << 20;
    private static final int MAX_BODY = 5 << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Provide
    Arbitrary<byte[]> body() {
        Arbitrary<Integer> anyInt = Arbitraries.oneOf(
                Arbitraries.integers(),
                Arbitraries.integers().between(-2, 50),
                Arbitraries.of(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, MAX_MSG, MAX_MSG + 1, (MAX_BODY - 4) / 5));
        Arbitrary<byte[]> message = Combinators.combine(
                        anyInt, Arbitraries.integers().between(0, 60), Arbitraries.of(true, false))
                .as((claimed, n, honest) ->
                        ByteBuffer.allocate(4 + n).putInt(honest ? n : claimed).array());
        return Combinators.combine(
                        anyInt,
                        message.list().ofMaxSize(8),
                        Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, 1000))
                .as((count, messages, honestCount, cut) -> {
                    int n = 4 + messages.stream().mapToInt(m -> m.length).sum();
                    ByteBuffer b = ByteBuffer.allocate(n).putInt(honestCount ? messages.size() : count);
                    messages.forEach(b::put);
                    byte[] all = b.array();
                    // sometimes cut short anywhere
                    return cut < 800 ? all : java.util.Arrays.copyOf(all, Math.min(all.length, cut - 800));
                });
    }

    @Property(tries = 1000)
    void parsesWhatTheBytesHoldOrRefusesWithAnNsqErrorWithinMemoryTheyBack(@ForAll("body") byte[] body) {
        // once unmeasured: the first run of an error's message links its string concatenation,
        // which allocates megabytes once per JVM, whatever the body
        parseOrNone(body);
        long thread = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        List<byte[]> messages;
        try {
            messages = MpubBody.parse(body, MAX_MSG, MAX_BODY);
        } catch (NsqError e) {
            assertThat(e.code()).isIn("E_BAD_BODY", "E_BAD_MESSAGE");
            messages = List.of();
        }
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        // the messages' arrays, the list and the error: a few times the bytes, plus a constant
        assertThat(allocated)
                .as("bytes allocated for a body of %d bytes", body.length)
                .isLessThan(8L * body.length + 64 * 1024);
        int total = messages.stream().mapToInt(m -> 4 + m.length).sum();
        if (!messages.isEmpty()) {
            assertThat(4 + total).isLessThanOrEqualTo(body.length);
            assertThat(ByteBuffer.wrap(body).getInt()).isEqualTo(messages.size());
        }
    }

    private static void parseOrNone(byte[] body) {
        try {
            MpubBody.parse(body, MAX_MSG, MAX_BODY);
        } catch (NsqError e) {
            assertThat(e.code()).isIn("E_BAD_BODY", "E_BAD_MESSAGE");
        }
    }

    @Example
    void aHugeCountBeforeAFewBytesAllocatesNoListForIt() {
        byte[] body =
                ByteBuffer.allocate(8).putInt((MAX_BODY - 4) / 5).putInt(1).array();
        long thread = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        try {
            MpubBody.parse(body, MAX_MSG, MAX_BODY);
        } catch (NsqError e) {
            assertThat(e.getMessage()).isEqualTo("E_BAD_MESSAGE MPUB failed to read message body");
        }
        assertThat(THREADS.getThreadAllocatedBytes(thread) - before).isLessThan(64 * 1024);
    }
}
