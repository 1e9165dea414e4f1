package dev.ferry.nsq.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoQuoteTest {
    @Test
    void shouldQuoteAsGoPercentQ() {
        assertThat(GoQuote.quote("orders")).isEqualTo("\"orders\"");
        assertThat(GoQuote.quote("bad name")).isEqualTo("\"bad name\"");
        assertThat(GoQuote.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(GoQuote.quote("tab\there\n")).isEqualTo("\"tab\\there\\n\"");
        assertThat(GoQuote.quote("\u0001\u007f")).isEqualTo("\"\\x01\\x7f\"");
        assertThat(GoQuote.quote("é")).isEqualTo("\"é\"");
    }
}
