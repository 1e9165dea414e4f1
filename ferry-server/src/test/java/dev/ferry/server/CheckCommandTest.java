package dev.ferry.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.spi.PublishRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ferry check} on a real data directory written by the embedded engine. */
class CheckCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int check(String... extra) {
        CommandLine cli = Ferry.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of("check", "--data-path", dir.toString()));
        args.addAll(List.of(extra));
        return cli.execute(args.toArray(String[]::new));
    }

    private LocalEngine open() {
        return LocalEngine.open(
                EmbeddedEngineConfig.file(dir).minFreeDiskBytes(0).build());
    }

    private void writeMessages(int count) {
        try (LocalEngine engine = open()) {
            done(engine.createChannel("orders", "billing"));
            List<PublishRecord> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                batch.add(PublishRecord.of(
                        String.format("message %05d of the test", i).getBytes(StandardCharsets.UTF_8)));
            }
            engine.append("orders", batch).join();
        }
    }

    private Path segment() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("topics/t-orders"))) {
            return files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
    }

    private void flipBytesInTheMiddle(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        for (int k = 0; k < 8; k++) {
            data[data.length / 2 + k] ^= (byte) 0x5A;
        }
        Files.write(file, data);
    }

    /** Every file of the directory with its content, to show that nothing changed. */
    private Map<String, String> contents() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                if (!p.getFileName().toString().equals("LOCK")) {
                    out.put(
                            dir.relativize(p).toString(),
                            java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    @Test
    void shouldFindNoDamageInAHealthyDirectory() {
        writeMessages(100);
        assertThat(check()).isZero();
        assertThat(out.toString()).contains("0 damaged").doesNotContain("DAMAGED");
    }

    @Test
    void shouldReportDamagePerFileWithoutChangingAnything() throws IOException {
        writeMessages(2000);
        flipBytesInTheMiddle(segment());
        Map<String, String> before = contents();
        assertThat(check()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(out.toString())
                .contains("DAMAGED segment " + dir.relativize(segment()))
                .contains("1 record(s) lost")
                .contains("1 damaged");
        assertThat(contents()).isEqualTo(before);
    }

    @Test
    void shouldRepairAsRecoveryDoesAndThenFindOnlyQuarantinedDamage() throws IOException {
        writeMessages(2000);
        Path segment = segment();
        flipBytesInTheMiddle(segment);
        long intact = Files.size(segment);
        Files.write(segment, new byte[] {0, 0, 1, 0, 7, 7}, StandardOpenOption.APPEND);
        assertThat(check()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(out.toString()).contains("torn tail of 6 bytes");
        out.getBuffer().setLength(0);
        assertThat(check("--repair")).isZero();
        assertThat(Files.size(segment)).as("torn tail cut").isEqualTo(intact);
        try (Stream<Path> files = Files.list(segment.getParent())) {
            assertThat(files.filter(p -> p.getFileName().toString().contains(".damaged-at-")))
                    .hasSize(1);
        }
        out.getBuffer().setLength(0);
        assertThat(check()).isZero();
        assertThat(out.toString()).contains("QUARANTINED segment").contains("0 damaged, 1 with damage already");
        try (LocalEngine engine = open()) {
            int delivered = 0;
            while (true) {
                int n = done(engine.claim("orders", "billing", 500, java.time.Duration.ofMinutes(1)))
                        .size();
                if (n == 0) {
                    break;
                }
                delivered += n;
            }
            assertThat(delivered).isEqualTo(1999);
        }
    }

    @Test
    void shouldRefuseTheDirectoryOfARunningBroker() {
        writeMessages(1);
        try (LocalEngine engine = open()) {
            assertThat(check()).isEqualTo(Ferry.EXIT_FAILURE);
            assertThat(err.toString()).contains("is in use by a running Ferry").doesNotContain("Exception");
        }
    }

    @Test
    void shouldRefuseADirectoryThatIsNotFerrys() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "hello");
        assertThat(check()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(err.toString()).contains("is not a Ferry data directory");
    }
}
