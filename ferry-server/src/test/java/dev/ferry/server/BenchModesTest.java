package dev.ferry.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.ChannelStats;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ferry bench mixed} and {@code ferry bench latency} against an in-process broker: what they
 * print and that the messages they count are the broker's. Short runs; no figure is asserted.
 */
class BenchModesTest {
    private static final Pattern TOTAL = Pattern.compile("mixed (writer|reader): ([0-9,]+) messages");
    private static final Pattern LATENCY = Pattern.compile(
            "latency at ([0-9,]+) msg/s \\(achieved [0-9,]+, ([0-9,]+) counted after a 1 s warm-up, 0 redelivered\\):"
                    + " p50 ([0-9.]+) ms, p99 ([0-9.]+) ms, p999 ([0-9.]+) ms, max ([0-9.]+) ms\n"
                    + "  from when each was due \\(the publisher's waits included\\):"
                    + " p50 ([0-9.]+) ms, p99 ([0-9.]+) ms, p999 ([0-9.]+) ms, max ([0-9.]+) ms");

    private final CliBroker broker = new CliBroker();

    @AfterEach
    void close() {
        broker.close();
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }

    @Test
    void shouldRunAWriterAndAReaderAtOnceAndPrintBothTotals() {
        CliBroker.Run run = broker.run("bench", "mixed", "--runfor", "1s", "--connections", "1", "--topic", "both");
        assertThat(run.code()).as(run.err()).isZero();
        Matcher m = TOTAL.matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        assertThat(m.group(1)).isEqualTo("writer");
        long written = number(m.group(2));
        assertThat(m.find()).as(run.out()).isTrue();
        assertThat(m.group(1)).isEqualTo("reader");
        long read = number(m.group(2));
        assertThat(written).isPositive();
        assertThat(read).isPositive().isLessThanOrEqualTo(written);
        ChannelStats ch =
                done(broker.engine.stats("both")).orElseThrow().channels().get(0);
        assertThat(ch.messageCount())
                .as("every message written reached the reader's channel")
                .isEqualTo(written);
    }

    @Test
    void shouldPrintPercentilesForEachRate() {
        CliBroker.Run run = broker.run(
                "bench", "latency", "--runfor", "2s", "--rates", "200,400", "--size", "16", "--topic", "lat");
        assertThat(run.code()).as(run.err()).isZero();
        Matcher m = LATENCY.matcher(run.out());
        for (long rate : new long[] {200, 400}) {
            assertThat(m.find()).as(run.out()).isTrue();
            assertThat(number(m.group(1))).isEqualTo(rate);
            assertThat(number(m.group(2)))
                    .as("messages sent after the warm-up were counted")
                    .isPositive();
            double p50 = Double.parseDouble(m.group(3));
            double p99 = Double.parseDouble(m.group(4));
            double p999 = Double.parseDouble(m.group(5));
            double max = Double.parseDouble(m.group(6));
            assertThat(p50).isLessThanOrEqualTo(p99);
            assertThat(p99).isLessThanOrEqualTo(p999);
            assertThat(p999).isLessThanOrEqualTo(max);
            // a message is written when it is due or later, so it is never faster counted from then
            for (int q = 0; q < 4; q++) {
                assertThat(Double.parseDouble(m.group(7 + q)))
                        .as("percentile %d from the due time against from the write", q)
                        .isGreaterThanOrEqualTo(Double.parseDouble(m.group(3 + q)));
            }
        }
        assertThat(done(broker.engine.stats("lat_200"))).isPresent();
        assertThat(done(broker.engine.stats("lat_400"))).isPresent();
    }

    @Test
    void shouldRefuseABodyTooSmallForTheDueAndSendTimes() {
        CliBroker.Run run = broker.run("bench", "latency", "--size", "4");
        assertThat(run.code()).isNotZero();
        assertThat(run.err()).contains("at least 16 bytes").doesNotContain("Exception");
    }
}
