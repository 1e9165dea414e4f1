package dev.ferry.server;

import static dev.ferry.server.ServerFlagsTest.parse;
import static dev.ferry.server.ServerFlagsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.SyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nsqd's TOML option file under ferry server --config, read as the program reads it. */
class NsqdConfigFileTest {
    @TempDir
    Path dir;

    private Path file(String toml) throws IOException {
        return Files.writeString(dir.resolve("nsqd.cfg"), toml);
    }

    @Test
    void shouldReadAFileWrittenForNsqd() throws IOException {
        // the keys and values of nsqd 1.3's example file (contrib/nsqd.cfg.example)
        Path cfg = file("""
                log_level = "info"
                tcp_address = "0.0.0.0:4150"
                http_address = "0.0.0.0:4151"
                nsqlookupd_tcp_addresses = [
                    "127.0.0.1:4160"
                ]
                http_client_connect_timeout = "2s"
                http_client_request_timeout = "5s"
                mem_queue_size = 10000
                max_bytes_per_file = 104857600
                sync_every = 2500
                sync_timeout = "2s"
                msg_timeout = "60s"
                max_msg_timeout = "15m"
                max_msg_size = 1024768
                max_req_timeout = "1h"
                max_body_size = 5123840
                max_heartbeat_interval = "60s"
                max_rdy_count = 2500
                max_output_buffer_size = 65536
                max_output_buffer_timeout = "1s"
                statsd_prefix = "nsq.%s"
                statsd_interval = "60s"
                statsd_mem_stats = true
                e2e_processing_latency_percentiles = [
                    1.0,
                    0.99,
                    0.95
                ]
                e2e_processing_latency_window_time = "10m"
                tls_cert = ""
                tls_key = ""
                tls_required = false
                tls_min_version = ""
                deflate = true
                max_deflate_level = 6
                snappy = true
                """);
        ServerFlagsTest.Parsed p = parse("-config", cfg.toString());
        assertThat(p.err()).isEmpty();
        ServerSettings s = p.settings();
        assertThat(s.tcpAddress()).isEqualTo(new HostPort("0.0.0.0", 4150));
        assertThat(s.lookupd().addresses()).containsExactly(new HostPort("127.0.0.1", 4160));
        assertThat(s.protocol().maxMsgSize()).isEqualTo(1024768);
        assertThat(s.protocol().maxBodySize()).isEqualTo(5123840);
        assertThat(s.protocol().maxOutputBufferTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.tls().cert()).isNull();
        assertThat(p.ignored())
                .contains("--sync-every=2500", "--e2e-processing-latency-percentile=1,0.99,0.95")
                .doesNotContain("lookupd");
    }

    @Test
    void shouldApplyFerrysOwnSettingsFromTheFileAndLetTheCommandLineWin() throws IOException {
        Path cfg = file("""
                tcp_address = "127.0.0.1:5150"
                msg_timeout = 30000        # nsqd reads an integer duration as milliseconds
                auth_http_addresses = "a:1,b:2"
                nsqlookupd_tcp_addresses = ["l1:4160", "l2:4160"]
                deflate = "f"
                snappy = false
                id = 12
                sync = "always"
                sync_interval = "1s"
                retention_age = "24h"
                depth_policy = "drop-oldest"
                channel_max_depth = 500
                """);
        ServerSettings fromFile = parse("--config=" + cfg).settings();
        assertThat(fromFile.tcpAddress()).isEqualTo(new HostPort("127.0.0.1", 5150));
        assertThat(fromFile.protocol().msgTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fromFile.authHttpAddresses()).containsExactly("a:1", "b:2");
        assertThat(fromFile.lookupd().addresses()).hasSize(2);
        assertThat(fromFile.protocol().deflateEnabled()).isFalse();
        assertThat(fromFile.protocol().snappyEnabled()).isFalse();
        assertThat(fromFile.embeddedEngine().orElseThrow().syncPolicy()).isEqualTo(SyncPolicy.ALWAYS);
        assertThat(fromFile.embeddedEngine().orElseThrow().syncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fromFile.embeddedEngine().orElseThrow().retentionAge()).isEqualTo(Duration.ofHours(24));
        assertThat(fromFile.embeddedEngine().orElseThrow().channelMaxDepth()).isEqualTo(500);

        ServerSettings overridden = parse(
                        "-tcp-address=127.0.0.1:6150",
                        "-lookupd-tcp-address=l3:4160",
                        "-snappy",
                        "-sync=never",
                        "-config",
                        cfg.toString())
                .settings();
        assertThat(overridden.tcpAddress()).isEqualTo(new HostPort("127.0.0.1", 6150));
        assertThat(overridden.lookupd().addresses()).containsExactly(new HostPort("l3", 4160));
        assertThat(overridden.protocol().snappyEnabled()).isTrue();
        assertThat(overridden.embeddedEngine().orElseThrow().syncPolicy()).isEqualTo(SyncPolicy.NEVER);
        assertThat(overridden.protocol().msgTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldWarnAboutAnUnknownKeyAndNameTheKeyMeant() throws IOException {
        Path cfg = file("""
                lookupd_tcp_addresses = ["l:4160"]
                node_id = 3
                version = true
                colour = "blue"
                msg_timeout = "5s"
                """);
        ServerFlagsTest.Parsed p = parse("-config", cfg.toString());
        assertThat(p.err().lines())
                .containsExactly(
                        cfg
                                + ": ignoring unknown key \"lookupd_tcp_addresses\" (did you mean nsqlookupd_tcp_addresses?)",
                        cfg + ": ignoring unknown key \"node_id\" (did you mean id?)",
                        cfg + ": ignoring unknown key \"version\" (--version is a command-line flag only)",
                        cfg + ": ignoring unknown key \"colour\"");
        assertThat(p.settings().protocol().msgTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldRefuseAValueOfTheWrongTypeNamingTheKeyTheTypeAndTheFile() throws IOException {
        record Case(String toml, String message) {}
        for (Case c : new Case[] {
            new Case(
                    "msg_timeout = true",
                    "msg_timeout must be a duration such as \"60s\" (or an integer of"
                            + " milliseconds), got a boolean"),
            new Case("msg_timeout = \"tomorrow\"", "msg_timeout: invalid duration \"tomorrow\""),
            new Case("max_rdy_count = \"many\"", "max_rdy_count: \"many\" is not an integer"),
            new Case("max_rdy_count = 1.5", "max_rdy_count must be an integer, got a float"),
            new Case("tcp_address = 4150", "tcp_address must be a string, got an integer"),
            new Case("snappy = 1", "snappy must be a boolean, got an integer"),
            new Case("snappy = \"yes\"", "snappy: \"yes\" is not a boolean"),
            new Case("nsqlookupd_tcp_addresses = [1, 2]", "nsqlookupd_tcp_addresses must be an array of strings"),
            new Case("e2e_processing_latency_percentiles = [\"x\"]", "must be an array of numbers"),
            new Case(
                    "tls_required = \"sometimes\"", "tls_required: \"sometimes\" is not one of true, false, tcp-https"),
            new Case("[tcp_address]\nport = 1", "tcp_address must be a string, got a table"),
            new Case(
                    "retention_bytes = 1000000000000000000",
                    "retention_bytes: write an integer of 19 digits as a" + " string (\"1000000000000000000\")"),
            new Case("msg_timeout = = 1", "not valid TOML"),
        }) {
            Path cfg = file(c.toml());
            ServerFlagsTest.Run r = run("server", "--config", cfg.toString());
            assertThat(r.exit()).as(c.toml()).isEqualTo(2);
            assertThat(r.err())
                    .as(c.toml())
                    .contains("ferry server: " + cfg + ": ")
                    .contains(c.message());
        }
    }

    @Test
    void shouldReadTheExampleFileAsTheDefaults() {
        Path example = Path.of("..", "docs", "ferry.toml.example");
        assertThat(example).isRegularFile();
        ServerFlagsTest.Parsed p = parse("--config", example.toString());
        assertThat(p.err()).isEmpty();
        assertThat(p.ignored()).isEmpty();
        ServerSettings defaults = parse().settings();
        assertThat(p.settings().protocol()).isEqualTo(defaults.protocol());
        assertThat(p.settings())
                .usingRecursiveComparison()
                .ignoringFields("engine")
                .isEqualTo(defaults);
        assertThat(p.settings().embeddedEngine())
                .as("the file's storage keys are the engine's defaults")
                .usingRecursiveComparison()
                .isEqualTo(defaults.embeddedEngine());
    }

    @Test
    void shouldRefuseAMissingFile() {
        ServerFlagsTest.Run r = run("server", "-config=" + dir.resolve("missing.cfg"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cannot read --config " + dir.resolve("missing.cfg") + ": no such file");
        assertThat(run("server", "-config=" + dir.resolve("missing.cfg"), "-version")
                        .exit())
                .as("--version does not read the file")
                .isZero();
    }

    @Test
    void shouldRangeCheckValuesFromTheFileAsFromTheCommandLine() throws IOException {
        Path cfg = file("max_deflate_level = 12\n");
        ServerFlagsTest.Run r = run("server", "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--max-deflate-level must be 1-9, got 12");
    }
}
