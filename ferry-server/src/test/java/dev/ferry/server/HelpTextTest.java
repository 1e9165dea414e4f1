package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The help of the commands reads whole at any terminal width: no method name or address cut in two. */
class HelpTextTest {
    /** picocli's narrowest usage width, up to a wide terminal. */
    private static final int NARROWEST = 55;

    private static final int WIDEST = 140;

    private static String help(String command, int width) {
        CommandLine sub = Ferry.commandLine().getSubcommands().get(command);
        sub.setUsageHelpWidth(width);
        return sub.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    @Test
    void shouldKeepMethodNamesAndAddressesWholeInTheHelpOfRpcAtEveryWidth() {
        for (int width = NARROWEST; width <= WIDEST; width++) {
            String help = help("rpc", width);
            assertThat(help)
                    .as("width %d:%n%s", width, help)
                    .contains("ferry rpc mqueue.get_sizes")
                    .contains("ferry rpc mqueue.get_size myq")
                    .contains("127.0.0.1:4151");
        }
    }

    @Test
    void shouldKeepTheDefaultAddressWholeInTheHelpOfStatsAtEveryWidth() {
        for (int width = NARROWEST; width <= WIDEST; width++) {
            assertThat(help("stats", width)).as("width %d", width).contains("127.0.0.1:4151");
        }
    }
}
