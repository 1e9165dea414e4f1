package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.nsq.testing.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ferry server}'s command line read without picocli ({@link ServerFlagReader}, the quick start)
 * gives what picocli's reading of it gives ({@link ServerCommand}): the same value in every field of
 * {@link ServerFlags}, the same settings and the same line of ignored flags; and it leaves help and
 * every mistake to picocli.
 */
class ServerFlagReaderTest {
    @TempDir
    Path dir;

    /** What one reading of a command line gave. */
    record Reading(ServerFlags flags, ServerSettings settings, String ignored, String warnings) {}

    private static Reading picocli(List<String> args) {
        CommandLine ferry = Ferry.commandLine();
        StringWriter err = new StringWriter();
        ferry.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("server"));
        all.addAll(args);
        ferry.parseArgs(all.toArray(String[]::new));
        ServerCommand server = ferry.getSubcommands().get("server").getCommand();
        return new Reading(
                server.flags(), server.settings(), server.ignoredFlagsLine().orElse(""), err.toString());
    }

    private static Reading quick(List<String> args) {
        StringWriter err = new StringWriter();
        PrintWriter warnings = new PrintWriter(err, true);
        ServerStart start = ServerFlagReader.read(args, warnings::println).orElseThrow();
        return new Reading(
                start.flags(), start.settings(), start.ignoredFlagsLine().orElse(""), err.toString());
    }

    private static void assertSameReading(String... args) {
        Reading expected = picocli(List.of(args));
        Reading actual = quick(List.of(args));
        assertThat(actual.flags())
                .as("every field of ServerFlags for %s", List.of(args))
                .usingRecursiveComparison()
                .isEqualTo(expected.flags());
        assertThat(actual.settings()).isEqualTo(expected.settings());
        assertThat(actual.ignored()).isEqualTo(expected.ignored());
        assertThat(actual.warnings()).isEqualTo(expected.warnings());
    }

    @Test
    void shouldGiveEveryDefaultAsPicocliDoes() {
        assertSameReading();
    }

    @Test
    void shouldReadValuesInEachOfGosForms() {
        assertSameReading(
                "--tcp-address=127.0.0.1:5000",
                "-http-address",
                "127.0.0.1:5001",
                "-https-address=",
                "--data-path",
                "/var/lib/ferry",
                "--msg-timeout",
                "30s",
                "-max-msg-size=2048",
                "--max-req-timeout=90m",
                "--sync",
                "always",
                "--depth-policy=drop-oldest",
                "--channel-max-depth",
                "0x100",
                "--log-level",
                "debug",
                "--broadcast-address",
                "ferry.example",
                "--broadcast-tcp-port",
                "4250",
                "--max-deflate-level=9",
                "--mqueue-db-url",
                "jdbc:sqlite:/tmp/q.db");
    }

    @Test
    void shouldReadBooleansAloneAndAfterAnEqualsSign() {
        assertSameReading("-snappy=false", "--deflate", "--statsd-mem-stats=0", "--verbose", "-worker-id=T");
    }

    @Test
    void shouldKeepEveryValueOfARepeatableFlagAndTheLastOfAnyOther() {
        assertSameReading(
                "--lookupd-tcp-address",
                "127.0.0.1:4160",
                "--lookupd-tcp-address=127.0.0.1:4260",
                "--auth-http-address",
                "127.0.0.1:4181",
                "-e2e-processing-latency-percentile",
                "0.99,0.5",
                "-e2e-processing-latency-percentile=0.9",
                "--mqueue",
                "name=jobs",
                "--msg-timeout",
                "10s",
                "--msg-timeout",
                "20s");
    }

    @Test
    void shouldNameTheIgnoredFlagsGivenAsPicocliDoes() {
        Reading quick = quick(List.of("--max-bytes-per-file", "1000", "--sync-every=5", "--statsd-prefix", "x"));
        assertThat(quick.ignored()).startsWith("ignoring flags Ferry does not apply: --max-bytes-per-file=1000");
        assertSameReading("--max-bytes-per-file", "1000", "--sync-every=5", "--statsd-prefix", "x");
    }

    @Test
    void shouldReadTheOptionFileUnderTheCommandLine() throws Exception {
        Path config = dir.resolve("nsqd.cfg");
        Files.writeString(config, """
                msg_timeout = "45s"
                max_msg_size = 4096
                snappy = false
                nsqlookupd_tcp_addresses = ["127.0.0.1:4160", "127.0.0.1:4260"]
                e2e_processing_latency_percentiles = [0.99, 0.5]
                statsd_prefix = "nsq"
                no_such_key = 1
                """);
        Reading quick = quick(List.of("--config", config.toString(), "--max-msg-size", "8192"));
        assertThat(quick.flags().msgTimeout).hasSeconds(45);
        assertThat(quick.flags().maxMsgSize).as("the command line wins").isEqualTo(8192);
        assertThat(quick.warnings()).contains("no_such_key");
        assertSameReading("--config", config.toString(), "--max-msg-size", "8192");
    }

    @Test
    void shouldMakeTheTlsContextOnceItHasCheckedTheFiles() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TestCertificates.selfSigned("/CN=127.0.0.1", key, cert, "subjectAltName=IP:127.0.0.1");
        assertSameReading(
                "--tls-cert",
                cert.toString(),
                "--tls-key=" + key,
                "-tls-required=tcp-https",
                "--tls-client-auth-policy",
                "require",
                "--tls-min-version",
                "tls1.2");
    }

    @Test
    void shouldLeaveHelpAndTheVersionToPicocli() {
        for (String action : List.of("--help", "-h", "-help", "--version", "--help=true")) {
            assertThat(ServerFlagReader.read(List.of("--msg-timeout", "5s", action), w -> {}))
                    .as(action)
                    .isEqualTo(Optional.empty());
        }
    }

    @Test
    void shouldThrowForEveryMistakeSoThatPicocliReportsIt() {
        for (List<String> wrong : List.of(
                List.of("--no-such-flag"),
                List.of("--msg-timeout"),
                List.of("--msg-timeout", "soon"),
                List.of("--max-msg-size", "big"),
                List.of("-snappy=perhaps"),
                List.of("--sync", "sometimes"),
                List.of("stray"),
                List.of("--max-msg-size", "-5"),
                List.of("--tcp-address", "nowhere"),
                List.of("--tls-required"),
                List.of("--tls-cert", "/no/such/cert.pem", "--tls-key", "/no/such/key.pem"),
                List.of("--mqueue-db-url", "sqlite:q.db"),
                List.of("--config", "/no/such/nsqd.cfg"))) {
            assertThatThrownBy(() -> ServerFlagReader.read(wrong, w -> {}))
                    .as("%s", wrong)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
