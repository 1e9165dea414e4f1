package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.server.GoFlagArgs.Arg;
import dev.ferry.server.GoFlagArgs.Arity;
import dev.ferry.server.GoFlagArgs.Flag;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Go's flag syntax, read as nsqd's flag package reads it, without picocli. */
class GoFlagArgsTest {
    private static final Flag ADDRESS = new Flag("--tcp-address", Arity.VALUE, false);
    private static final Flag LOOKUPD = new Flag("--lookupd-tcp-address", Arity.VALUE, true);
    private static final Flag SNAPPY = new Flag("--snappy", Arity.BOOLEAN, false);
    private static final Flag TLS_REQUIRED = new Flag("--tls-required", Arity.BOOLEAN_LIKE, false);
    private static final Flag HELP = new Flag("--help", Arity.ACTION, false);
    private static final Map<String, Flag> FLAGS = Map.of(
            "tcp-address", ADDRESS,
            "lookupd-tcp-address", LOOKUPD,
            "snappy", SNAPPY,
            "tls-required", TLS_REQUIRED,
            "h", HELP,
            "help", HELP);

    private static List<Arg> read(String... args) {
        return GoFlagArgs.read(List.of(args), FLAGS);
    }

    @Test
    void shouldReadAValueFlagInEachOfGosFourForms() {
        Arg expected = new Arg("--tcp-address", "0.0.0.0:4150");
        assertThat(read("-tcp-address", "0.0.0.0:4150")).containsExactly(expected);
        assertThat(read("-tcp-address=0.0.0.0:4150")).containsExactly(expected);
        assertThat(read("--tcp-address", "0.0.0.0:4150")).containsExactly(expected);
        assertThat(read("--tcp-address=0.0.0.0:4150")).containsExactly(expected);
        assertThat(expected.token()).isEqualTo("--tcp-address=0.0.0.0:4150");
    }

    @Test
    void shouldTakeTheNextArgumentAsTheValueWhateverItLooksLike() {
        assertThat(read("-tcp-address", "-snappy")).containsExactly(new Arg("--tcp-address", "-snappy"));
        assertThat(read("-tcp-address=")).containsExactly(new Arg("--tcp-address", ""));
        assertThat(read("-tcp-address=a=b")).containsExactly(new Arg("--tcp-address", "a=b"));
    }

    @Test
    void shouldReadABooleanAloneAsTrueAndItsValueOnlyAfterEquals() {
        assertThat(read("-snappy")).containsExactly(new Arg("--snappy", "true"));
        assertThat(read("--snappy")).containsExactly(new Arg("--snappy", "true"));
        for (String no : List.of("0", "f", "F", "false", "FALSE", "False")) {
            assertThat(read("-snappy=" + no)).as(no).containsExactly(new Arg("--snappy", "false"));
            assertThat(read("--snappy=" + no)).as(no).containsExactly(new Arg("--snappy", "false"));
        }
        for (String yes : List.of("1", "t", "T", "true", "TRUE", "True")) {
            assertThat(read("-snappy=" + yes)).as(yes).containsExactly(new Arg("--snappy", "true"));
        }
        assertThatThrownBy(() -> read("-snappy=yes"))
                .hasMessageContaining("invalid value for -snappy: \"yes\" is not a boolean");
    }

    @Test
    void shouldReadTheWordAfterABooleanAsAStrayArgumentAndSaySo() {
        assertThatThrownBy(() -> read("-snappy", "false", "-tcp-address=x"))
                .hasMessage("unexpected argument \"false\": ferry server takes flags only"
                        + " (a boolean flag takes its value after \"=\", as in -snappy=false)");
    }

    @Test
    void shouldPassTheValueOfABooleanLikeFlagOnAsWritten() {
        assertThat(read("--tls-required")).containsExactly(new Arg("--tls-required", "true"));
        assertThat(read("-tls-required=tcp-https")).containsExactly(new Arg("--tls-required", "tcp-https"));
        assertThatThrownBy(() -> read("-tls-required", "tcp-https")).hasMessageContaining("unexpected argument");
    }

    @Test
    void shouldKeepTheLastValueOfAFlagAndEveryValueOfARepeatableOne() {
        assertThat(read(
                        "-tcp-address=a:1",
                        "-lookupd-tcp-address",
                        "l:1",
                        "--tcp-address=b:2",
                        "--lookupd-tcp-address=l:2"))
                .containsExactly(
                        new Arg("--lookupd-tcp-address", "l:1"),
                        new Arg("--tcp-address", "b:2"),
                        new Arg("--lookupd-tcp-address", "l:2"));
        assertThat(read("-snappy=false", "-snappy")).containsExactly(new Arg("--snappy", "true"));
    }

    @Test
    void shouldGiveAnActionOnlyWhenItIsTrue() {
        assertThat(read("-h")).containsExactly(new Arg("--help", null));
        assertThat(read("-help")).containsExactly(new Arg("--help", null));
        assertThat(read("--help=true")).containsExactly(new Arg("--help", null));
        assertThat(read("--help=false")).isEmpty();
        assertThat(new Arg("--help", null).token()).isEqualTo("--help");
    }

    @Test
    void shouldStopAtDoubleDashAndRefuseWhatFollowsIt() {
        assertThat(read("-snappy", "--")).containsExactly(new Arg("--snappy", "true"));
        assertThatThrownBy(() -> read("--", "-snappy"))
                .hasMessage("unexpected argument \"-snappy\" after \"--\": ferry server takes flags only");
    }

    @Test
    void shouldRefuseArgumentsThatAreNotFlags() {
        assertThatThrownBy(() -> read("serve"))
                .hasMessage("unexpected argument \"serve\": ferry server takes flags only");
        assertThatThrownBy(() -> read("-")).hasMessageContaining("unexpected argument \"-\"");
        assertThatThrownBy(() -> read("")).hasMessageContaining("unexpected argument \"\"");
    }

    @Test
    void shouldRefuseUnknownFlagsBadSyntaxAndAMissingValue() {
        assertThatThrownBy(() -> read("-tcp-adress=x")).hasMessage("unknown flag: -tcp-adress");
        assertThatThrownBy(() -> read("--nope")).hasMessage("unknown flag: --nope");
        assertThatThrownBy(() -> read("---snappy")).hasMessage("bad flag syntax: ---snappy");
        assertThatThrownBy(() -> read("-=x")).hasMessage("bad flag syntax: -=x");
        assertThatThrownBy(() -> read("-tcp-address")).hasMessage("flag needs a value: -tcp-address");
    }
}
