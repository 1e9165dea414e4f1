package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
    private static final Pattern PUBLISHED = Pattern.compile("^published: (\\{.*})$");
    private static final Pattern CONSUMED =
            Pattern.compile("^consumed: (\\{.*}) \\(attempts=(\\d+), id=([0-9a-f]{16})\\)$");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int ferry(String... args) {
        CommandLine commandLine = Ferry.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private List<String> lines() {
        return out.toString().lines().toList();
    }

    private static List<String> bodies(List<String> lines, Pattern pattern) {
        return lines.stream()
                .map(pattern::matcher)
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .toList();
    }

    @Test
    void shouldConsumeEveryPublishedMessageOnceAndExitZero() {
        int exit = ferry("demo", "--data-dir", dir.toString(), "--count", "3");

        assertThat(exit).as("exit code; stderr: %s", err).isZero();
        List<String> published = bodies(lines(), PUBLISHED);
        assertThat(published).hasSize(3).allSatisfy(body -> assertThat(body).contains("\"text\":\"hello from ferry\""));
        assertThat(published.get(2)).contains("\"seq\":3");
        assertThat(bodies(lines(), CONSUMED)).containsExactlyInAnyOrderElementsOf(published);
        assertThat(lines())
                .filteredOn(line -> line.startsWith("consumed: "))
                .allSatisfy(line -> assertThat(line).contains("(attempts=1, id="));
    }

    @Test
    void shouldPrintTheTopicStatisticsAfterConsuming() {
        int exit = ferry("demo", "--data-dir", dir.toString(), "--count", "2");

        assertThat(exit).isZero();
        assertThat(lines().get(lines().size() - 1))
                .startsWith("stats: topic demo: 2 published")
                .contains("channel printer: 2 received, depth 0, in flight 0");
    }

    @Test
    void shouldConsumeOnlyNewMessagesWhenRunAgainOnTheSameDataDirectory() {
        assertThat(ferry("demo", "--data-dir", dir.toString(), "--count", "2")).isZero();
        out.getBuffer().setLength(0);

        assertThat(ferry("demo", "--data-dir", dir.toString(), "--count", "2")).isZero();
        assertThat(bodies(lines(), CONSUMED)).containsExactlyInAnyOrderElementsOf(bodies(lines(), PUBLISHED));
    }

    @Test
    void shouldStartFromAnEmptyDirectoryOfItsOwnWhenGivenNone() {
        assertThat(ferry("demo", "--count", "2")).as("stderr: %s", err).isZero();
        out.getBuffer().setLength(0);

        assertThat(ferry("demo", "--count", "2")).as("stderr: %s", err).isZero();
        assertThat(lines().stream().filter(line -> line.startsWith("stats: ")))
                .as("only the demo's topic, with this run's two messages")
                .singleElement()
                .asString()
                .startsWith("stats: topic demo: 2 published")
                .contains("channel printer: 2 received");
    }

    @Test
    void shouldRejectACountBelowOneAsAUsageError() {
        int exit = ferry("demo", "--data-dir", dir.toString(), "--count", "0");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--count must be at least 1, got 0");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldTreatAMissingSubcommandAsAUsageError() {
        assertThat(ferry()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required subcommand").contains("demo");
    }

    @Test
    void shouldListTheSubcommandsInTheHelp() {
        assertThat(ferry("--help")).isZero();
        assertThat(out.toString()).contains("Usage: ferry").contains("demo");
    }

    @Test
    void shouldPrintTheProjectVersion() {
        assertThat(ferry("--version")).isZero();
        assertThat(out.toString()).startsWith("ferry ").doesNotContain("${");
    }
}
