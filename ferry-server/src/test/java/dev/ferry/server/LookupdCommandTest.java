package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.nsq.LookupdServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ferry lookupd as a real process, its flags, and ferry server's broadcast flags as a lookupd sees them. */
class LookupdCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeClient() {
        http.close();
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldServeTheHttpApiAndStopOnSigterm() throws Exception {
        try (FerryProcess lookupd = FerryProcess.start(
                "lookupd", "-tcp-address", "127.0.0.1:0", "--http-address=127.0.0.1:0", "-tombstone-lifetime=10s")) {
            HttpResponse<String> ping = get(lookupd.httpPort(), "/ping");
            assertThat(ping.body()).isEqualTo("OK");
            assertThat(get(lookupd.httpPort(), "/info").body()).isEqualTo("{\"version\":\"1.3.0\"}");
            assertThat(get(lookupd.httpPort(), "/topics").body()).isEqualTo("{\"topics\":[]}");
            assertThat(lookupd.stop()).isZero();
        }
    }

    @Test
    void shouldStartWithoutPicocliFromTheJarsEntryPoint() throws Exception {
        Path config = dir.resolve("nsqlookupd.cfg");
        java.nio.file.Files.writeString(config, "tombstone_lifetime = \"10s\"\nlog_prefix = \"[x] \"\n");
        try (FerryProcess lookupd = FerryProcess.start(
                Main.class,
                "lookupd",
                "-tcp-address",
                "127.0.0.1:0",
                "--http-address=127.0.0.1:0",
                "--config",
                config.toString())) {
            assertThat(get(lookupd.httpPort(), "/ping").body()).isEqualTo("OK");
            assertThat(get(lookupd.httpPort(), "/topics").body()).isEqualTo("{\"topics\":[]}");
            // the option file's ignored flag is named, as picocli's path names it
            assertThat(lookupd.lines())
                    .contains(
                            "ignoring flags Ferry does not apply: --log-prefix=[x]  (Ferry's log lines carry no prefix)");
            assertThat(lookupd.stop()).isZero();
        }
    }

    @Test
    void shouldReadLookupdsFlagsWithoutPicocliOrLeaveThemToIt() {
        List<String> warnings = new ArrayList<>();
        assertThat(LookupdCommand.read(List.of("-tcp-address=127.0.0.1:0", "--verbose"), warnings::add))
                .isPresent();
        assertThat(warnings).isEmpty();
        // help and version are picocli's to answer; a mistake is picocli's to word
        assertThat(LookupdCommand.read(List.of("--help"), warnings::add)).isEmpty();
        assertThat(LookupdCommand.read(List.of("-version"), warnings::add)).isEmpty();
        assertThatThrownBy(() -> LookupdCommand.read(List.of("--tombstone-lifetime=0s"), warnings::add))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tombstone-lifetime must be positive");
        assertThatThrownBy(() -> LookupdCommand.read(List.of("--nope"), warnings::add))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseBadFlagsAsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cmd = Ferry.commandLine().setErr(new PrintWriter(err));
        int code = cmd.execute("lookupd", "--tombstone-lifetime=0s");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("ferry lookupd: --tombstone-lifetime must be positive")
                .contains("Run 'ferry lookupd --help'");

        StringWriter err2 = new StringWriter();
        int code2 = Ferry.commandLine().setErr(new PrintWriter(err2)).execute("lookupd", "--nope");
        assertThat(code2).isEqualTo(2);
        assertThat(err2.toString()).contains("ferry lookupd:").contains("nope");
    }

    @Test
    void shouldRegisterTheBroadcastAddressAndPortsOfAServer() throws Exception {
        try (LookupdServer lookupd = LookupdServer.builder()
                        .tcpAddress("127.0.0.1", 0)
                        .httpAddress("127.0.0.1", 0)
                        .start();
                FerryProcess server = FerryProcess.start(
                        "server",
                        "--tcp-address=127.0.0.1:0",
                        "--http-address=127.0.0.1:0",
                        "--data-path=" + dir,
                        "--broadcast-address=node.example",
                        "--broadcast-tcp-port=14150",
                        "--broadcast-http-port=14151",
                        "--lookupd-tcp-address=127.0.0.1:" + lookupd.tcpPort())) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> JSON.readTree(get(lookupd.httpPort(), "/nodes").body())
                                    .path("producers")
                                    .size()
                            == 1);
            JsonNode node = JSON.readTree(get(lookupd.httpPort(), "/nodes").body())
                    .path("producers")
                    .get(0);
            assertThat(node.get("broadcast_address").asText()).isEqualTo("node.example");
            assertThat(node.get("tcp_port").asInt()).isEqualTo(14150);
            assertThat(node.get("http_port").asInt()).isEqualTo(14151);
            assertThat(node.get("version").asText()).isEqualTo("1.3.0");
            assertThat(server.lines()).noneMatch(l -> l.contains("ignoring flags"));
        }
    }
}
