package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FerryCommandLineTest {
    @Test
    void shouldBuildOnlyTheSubcommandTheArgumentsName() {
        CommandLine cmd = Ferry.commandLine(new String[] {"pub", "--nsqd-tcp-address", "127.0.0.1:4150", "t", "m"});

        assertThat(cmd.getSubcommands()).containsOnlyKeys("pub");
    }

    @Test
    void shouldBuildEverySubcommandWhenNoneIsNamed() {
        String[] every = Ferry.SUBCOMMANDS.stream().map(Ferry.Subcommand::name).toArray(String[]::new);

        assertThat(Ferry.commandLine(new String[] {"--help"}).getSubcommands()).containsOnlyKeys(every);
        assertThat(Ferry.commandLine(new String[] {"sever", "--help"}).getSubcommands())
                .containsOnlyKeys(every);
        assertThat(Ferry.commandLine(new String[0]).getSubcommands()).containsOnlyKeys(every);
    }

    @Test
    void shouldNameEachSubcommandAsItsCommandAnnotationDoes() {
        for (Ferry.Subcommand subcommand : Ferry.SUBCOMMANDS) {
            assertThat(subcommand
                            .type()
                            .getAnnotation(CommandLine.Command.class)
                            .name())
                    .isEqualTo(subcommand.name());
        }
    }

    @Test
    void shouldPrintTheVersionAsPicocliWould() {
        StringWriter picocli = new StringWriter();
        int code = Ferry.commandLine().setOut(new PrintWriter(picocli, true)).execute("--version");
        ByteArrayOutputStream direct = new ByteArrayOutputStream();

        boolean printed =
                Ferry.printVersion(new String[] {"--version"}, new PrintStream(direct, true, StandardCharsets.UTF_8));

        assertThat(code).isZero();
        assertThat(printed).isTrue();
        assertThat(direct.toString(StandardCharsets.UTF_8).lines())
                .containsExactlyElementsOf(picocli.toString().lines().toList());
        assertThat(Ferry.printVersion(new String[] {"-V"}, new PrintStream(new ByteArrayOutputStream())))
                .isTrue();
        assertThat(Ferry.printVersion(new String[] {"--version", "x"}, new PrintStream(new ByteArrayOutputStream())))
                .isFalse();
        assertThat(Ferry.printVersion(new String[] {"pub", "--version"}, new PrintStream(new ByteArrayOutputStream())))
                .isFalse();
    }
}
