package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void shouldAcceptNsqNames() {
        assertThat(Names.isValid("a")).isTrue();
        assertThat(Names.isValid("orders.v2_new-x")).isTrue();
        assertThat(Names.isValid("x".repeat(64))).isTrue();
        assertThat(Names.isValid("x".repeat(54) + "#ephemeral")).isTrue();
        assertThat(Names.isEphemeral("reply#ephemeral")).isTrue();
    }

    @Test
    void shouldRejectWhatNsqRejects() {
        assertThat(Names.isValid("")).isFalse();
        assertThat(Names.isValid(null)).isFalse();
        assertThat(Names.isValid("x".repeat(65))).isFalse();
        assertThat(Names.isValid("x".repeat(55) + "#ephemeral")).isFalse();
        assertThat(Names.isValid("#ephemeral")).isFalse();
        assertThat(Names.isValid("a b")).isFalse();
        assertThat(Names.isValid("a/b")).isFalse();
        assertThat(Names.isValid("a#b")).isFalse();
        assertThat(Names.isValid("é")).isFalse();
    }

    @Test
    void shouldComputeExponentialBackoffWithACap() {
        Backoff b = Backoff.DEFAULT;
        assertThat(b.delayFor(1).toMillis()).isEqualTo(1000);
        assertThat(b.delayFor(2).toMillis()).isEqualTo(2000);
        assertThat(b.delayFor(6).toMillis()).isEqualTo(32000);
        assertThat(b.delayFor(7).toMillis()).isEqualTo(60000);
        assertThat(b.delayFor(1000).toMillis()).isEqualTo(60000);
    }
}
