package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees when the machine is not as a command expects: a port in use, a data directory
 * that is a file or cannot be written, a broker that is not there. One plain sentence each, naming
 * the address or path and what to do; no Java class name, no stack trace, nothing said twice.
 */
class PlainErrorsTest {
    @TempDir
    Path dir;

    private static void assertPlain(String err) {
        assertThat(err)
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("java.")
                .doesNotContain("io.netty");
    }

    @Test
    void shouldNameTheListenerAndAddressOfAPortInUseAndLeaveTheDataDirectoryAlone() throws Exception {
        Path data = dir.resolve("data");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            CliBroker.Run tcp = CliBroker.execute(
                    "server",
                    "--tcp-address",
                    address,
                    "--http-address",
                    "127.0.0.1:0",
                    "--data-path",
                    data.toString());
            assertThat(tcp.code()).isEqualTo(Ferry.EXIT_FAILURE);
            assertThat(tcp.err())
                    .contains("cannot listen for TCP on " + address + ": the address is in use")
                    .contains("--tcp-address");
            assertThat(tcp.err().lines()).hasSize(1);
            assertPlain(tcp.err());

            CliBroker.Run http = CliBroker.execute(
                    "server",
                    "--tcp-address",
                    "127.0.0.1:0",
                    "--http-address",
                    address,
                    "--data-path",
                    data.toString());
            assertThat(http.code()).isEqualTo(Ferry.EXIT_FAILURE);
            assertThat(http.err())
                    .contains("cannot listen for HTTP on " + address + ": the address is in use")
                    .contains("--http-address");
            assertPlain(http.err());
            assertThat(data).as("the data directory is not created").doesNotExist();

            CliBroker.Run lookupd =
                    CliBroker.execute("lookupd", "--tcp-address", address, "--http-address", "127.0.0.1:0");
            assertThat(lookupd.code()).isEqualTo(Ferry.EXIT_FAILURE);
            assertThat(lookupd.err()).contains("cannot listen for TCP on " + address + ": the address is in use");
            assertPlain(lookupd.err());
        }
    }

    @Test
    void shouldSayADataDirectoryThatIsAFileIsNotADirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("data"), "not a directory");
        CliBroker.Run run = CliBroker.execute(
                "server",
                "--tcp-address",
                "127.0.0.1:0",
                "--http-address",
                "127.0.0.1:0",
                "--data-path",
                file.toString());
        assertThat(run.code()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(run.err())
                .contains("the data directory " + file.toAbsolutePath() + " is a file, not a directory")
                .contains("--data-path");
        assertPlain(run.err());

        CliBroker.Run demo =
                CliBroker.execute("demo", "--data-dir", file.resolve("below").toString());
        assertThat(demo.code()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(demo.err()).contains(file.toAbsolutePath() + " is a file").contains("--data-dir");
        assertPlain(demo.err());
    }

    @Test
    void shouldSayADataDirectoryCannotBeWritten() throws Exception {
        // root may write anywhere, so only another user can see the refusal
        assumeThat(System.getProperty("user.name")).isNotEqualTo("root");
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            CliBroker.Run run = CliBroker.execute(
                    "server",
                    "--tcp-address",
                    "127.0.0.1:0",
                    "--http-address",
                    "127.0.0.1:0",
                    "--data-path",
                    locked.toString());
            assertThat(run.code()).isEqualTo(Ferry.EXIT_FAILURE);
            assertThat(run.err())
                    .contains("cannot write to the data directory " + locked.toAbsolutePath() + ": permission denied");
            assertPlain(run.err());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void shouldSayOnceInPlainWordsThatNoBrokerAnswers() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        String address = "127.0.0.1:" + port;
        // a process of its own: the client's log lines go to its stderr too, and must not repeat the error
        Process pub = new ProcessBuilder(List.of(
                        ProcessHandle.current().info().command().orElseThrow(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Ferry.class.getName(),
                        "pub",
                        "--nsqd-tcp-address",
                        address,
                        "t",
                        "m"))
                .redirectErrorStream(true)
                .start();
        String output = new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pub.exitValue()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(output)
                .contains("cannot connect to nsqd at " + address + ": connection refused")
                .contains("is the broker running");
        assertThat(output.lines().filter(l -> l.contains(address))).hasSize(1);
        assertPlain(output);

        CliBroker.Run stats = CliBroker.execute("stats", "--nsqd-http-address", address);
        assertThat(stats.code()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(stats.err())
                .contains("cannot reach the broker's HTTP API at " + address + ": connection refused")
                .contains("--nsqd-http-address");
        assertPlain(stats.err());

        CliBroker.Run rpc = CliBroker.execute("rpc", "--http-address", address, "mqueue.get_sizes");
        assertThat(rpc.code()).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(rpc.err())
                .contains("cannot reach the broker's HTTP API at " + address + ": connection refused")
                .contains("--http-address");
        assertPlain(rpc.err());
    }
}
