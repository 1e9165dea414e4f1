package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Values read as Go reads them: booleans, integers with Go's bases, durations. */
class GoValuesTest {
    @Test
    void shouldReadIntegersAsGoFlagsDo() {
        assertThat(GoValues.parseInt("2500")).isEqualTo(2500);
        assertThat(GoValues.parseInt("-7")).isEqualTo(-7);
        assertThat(GoValues.parseInt("+7")).isEqualTo(7);
        assertThat(GoValues.parseInt("0x1F")).isEqualTo(31);
        assertThat(GoValues.parseInt("0o17")).isEqualTo(15);
        assertThat(GoValues.parseInt("017")).isEqualTo(15);
        assertThat(GoValues.parseInt("0b101")).isEqualTo(5);
        assertThat(GoValues.parseInt("1_000_000")).isEqualTo(1_000_000);
        assertThat(GoValues.parseInt("0x_ff")).isEqualTo(255);
        assertThat(GoValues.parseInt("0")).isZero();
        assertThat(GoValues.parseInt("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        for (String bad : new String[] {"", "many", "08", "1__0", "_1", "1_", "0x", "1.5", "1e3", " 1", "--1"}) {
            assertThatThrownBy(() -> GoValues.parseInt(bad)).as(bad).hasMessageContaining("is not an integer");
        }
        assertThatThrownBy(() -> GoValues.parseInt("9223372036854775808")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> new GoValues.Int().convert("4294967296")).hasMessageContaining("out of range");
    }

    @Test
    void shouldReadBooleansAsGoDoes() {
        for (String yes : new String[] {"1", "t", "T", "TRUE", "true", "True"}) {
            assertThat(GoValues.parseBool(yes)).as(yes).isTrue();
        }
        for (String no : new String[] {"0", "f", "F", "FALSE", "false", "False"}) {
            assertThat(GoValues.parseBool(no)).as(no).isFalse();
        }
        for (String bad : new String[] {"yes", "on", "tRUE", "", "2"}) {
            assertThatThrownBy(() -> GoValues.parseBool(bad)).as(bad).hasMessageContaining("is not a boolean");
        }
    }

    @Test
    void shouldReadDurationsAsGoDoes() {
        assertThat(GoDuration.parse("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("-2s")).isEqualTo(Duration.ofSeconds(-2));
        assertThat(GoDuration.parse("+0")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        for (String bad : new String[] {"", "60", "tomorrow", "1d", "s", "-"}) {
            assertThatThrownBy(() -> GoDuration.parse(bad)).as(bad).hasMessageContaining("invalid duration");
        }
    }
}
