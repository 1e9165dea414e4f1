package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.BusConfig;
import dev.ferry.DepthPolicy;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SyncPolicy;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.TlsSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** ferry server's command line, parsed as the program parses it, without starting a broker. */
class ServerFlagsTest {
    /** A parsed command line: what the broker would run with and say. */
    record Parsed(ServerSettings settings, String ignored, String err) {}

    static Parsed parse(String... args) {
        CommandLine ferry = Ferry.commandLine();
        StringWriter err = new StringWriter();
        ferry.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("server"));
        all.addAll(List.of(args));
        ferry.parseArgs(all.toArray(String[]::new));
        ServerCommand server = ferry.getSubcommands().get("server").getCommand();
        return new Parsed(server.settings(), server.ignoredFlagsLine().orElse(""), err.toString());
    }

    /** Runs ferry with {@code args}; returns the exit code and what went to stdout and stderr. */
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine ferry = Ferry.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ferry.setOut(new PrintWriter(out, true));
        ferry.setErr(new PrintWriter(err, true));
        int exit = ferry.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldDefaultToNsqdsLimitsAndFerrysStorageDefaults() {
        ServerSettings s = parse().settings();
        assertThat(s.protocol()).isEqualTo(ServerOptions.defaults());
        EmbeddedEngineConfig defaults =
                EmbeddedEngineConfig.file(Path.of("./data")).build();
        BusConfig busDefaults = BusConfig.defaults();
        assertThat(s.engine().toString())
                .as("no storage flag given: no parameter")
                .isEqualTo("file:./data");
        EmbeddedEngineConfig bus = s.embeddedEngine().orElseThrow();
        assertThat(bus.dataDir()).contains(Path.of("./data"));
        assertThat(s.dataPath()).isEqualTo(Path.of("./data"));
        assertThat(bus.syncPolicy()).isEqualTo(defaults.syncPolicy());
        assertThat(bus.syncInterval()).isEqualTo(defaults.syncInterval());
        assertThat(bus.memQueueSize()).isEqualTo(defaults.memQueueSize());
        assertThat(bus.maxMessageBytes()).isEqualTo(defaults.maxMessageBytes());
        assertThat(s.protocol().maxMsgSize()).isEqualTo(busDefaults.maxMessageSize());
        assertThat(s.protocol().maxBodySize()).isEqualTo(busDefaults.maxBatchSize());
        assertThat(s.protocol().maxReqTimeout()).isEqualTo(busDefaults.maxRequeueDelay());
        assertThat(bus.retentionBytes()).isEqualTo(defaults.retentionBytes());
        assertThat(bus.retentionAge()).isEqualTo(defaults.retentionAge());
        assertThat(bus.channelMaxDepth()).isEqualTo(defaults.channelMaxDepth());
        assertThat(bus.depthPolicy()).isEqualTo(defaults.depthPolicy());
        assertThat(bus.maxDataBytes()).isEqualTo(defaults.maxDataBytes());
        assertThat(bus.minFreeDiskBytes()).isEqualTo(defaults.minFreeDiskBytes());
        assertThat(bus.segmentBytes()).isEqualTo(defaults.segmentBytes());
        assertThat(s.tcpAddress()).isEqualTo(new HostPort("127.0.0.1", 4150));
        assertThat(s.httpAddress()).isEqualTo(new HostPort("127.0.0.1", 4151));
        assertThat(s.broadcastAddress()).isNull();
        assertThat(s.authHttpAddresses()).isEmpty();
        assertThat(s.httpClientConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.httpClientRequestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.tls())
                .isEqualTo(new TlsFlags(
                        null,
                        null,
                        TlsSettings.Required.NO,
                        TlsSettings.ClientAuthPolicy.NONE,
                        null,
                        TlsSettings.Version.TLS_1_0,
                        new HostPort("127.0.0.1", 4152)));
        assertThat(s.lookupd()).isEqualTo(new LookupdFlags(List.of(), 0, 0));
        assertThat(s.logLevel()).isEqualTo(ServerFlags.LogLevel.INFO);
        assertThat(parse().ignored()).isEmpty();
    }

    @Test
    void shouldApplyTheFlagsFerryAppliesInAnyGoForm() {
        ServerSettings s = parse(
                        "-tcp-address",
                        "0.0.0.0:5150",
                        "--http-address=[::1]:5151",
                        "-broadcast-address=node7",
                        "--auth-http-address",
                        "127.0.0.1:4181",
                        "-auth-http-address=http://auth.local/auth",
                        "-http-client-connect-timeout=1s",
                        "--http-client-request-timeout",
                        "3s",
                        "-data-path=/var/lib/ferry",
                        "-mem-queue-size=0",
                        "-msg-timeout=30s",
                        "--max-msg-timeout",
                        "5m",
                        "-max-msg-size=0x10000",
                        "-max-req-timeout=2h",
                        "-max-body-size=1_000_000",
                        "-max-heartbeat-interval=90s",
                        "-max-rdy-count=100",
                        "-max-output-buffer-size=128",
                        "-max-output-buffer-timeout=2s",
                        "-min-output-buffer-timeout=10ms",
                        "-output-buffer-timeout=100ms",
                        "-max-deflate-level=9",
                        "-log-level=DEBUG",
                        "--sync=always",
                        "-sync-interval=1s",
                        "-retention-bytes=1073741824",
                        "-retention-age=168h",
                        "-channel-max-depth=1000",
                        "-depth-policy=drop-oldest",
                        "-max-data-bytes=10737418240",
                        "-min-free-disk-bytes=0",
                        "-segment-bytes=1048576")
                .settings();
        assertThat(s.tcpAddress()).isEqualTo(new HostPort("0.0.0.0", 5150));
        assertThat(s.httpAddress()).isEqualTo(new HostPort("::1", 5151));
        assertThat(s.broadcastAddress()).isEqualTo("node7");
        assertThat(s.authHttpAddresses()).containsExactly("127.0.0.1:4181", "http://auth.local/auth");
        assertThat(s.httpClientConnectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.httpClientRequestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.logLevel()).isEqualTo(ServerFlags.LogLevel.DEBUG);
        ServerOptions p = s.protocol();
        assertThat(p.msgTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.maxMsgTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.maxMsgSize()).isEqualTo(65536);
        assertThat(p.maxReqTimeout()).isEqualTo(Duration.ofHours(2));
        assertThat(p.maxBodySize()).isEqualTo(1_000_000);
        assertThat(p.maxHeartbeatInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(p.maxRdyCount()).isEqualTo(100);
        assertThat(p.maxOutputBufferSize()).isEqualTo(128);
        assertThat(p.maxOutputBufferTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.minOutputBufferTimeout()).isEqualTo(Duration.ofMillis(10));
        assertThat(p.outputBufferTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(p.maxDeflateLevel()).isEqualTo(9);
        EmbeddedEngineConfig bus = s.embeddedEngine().orElseThrow();
        assertThat(bus.dataDir()).contains(Path.of("/var/lib/ferry"));
        assertThat(bus.memQueueSize())
                .as("nsqd's 0 leaves an ephemeral channel room for one")
                .isEqualTo(1);
        assertThat(bus.maxMessageBytes())
                .as("the engine stores what --max-msg-size lets through")
                .isEqualTo(65536);
        assertThat(p.maxBodySize()).isEqualTo(1_000_000);
        assertThat(p.maxReqTimeout()).as("REQ up to --max-req-timeout").isEqualTo(Duration.ofHours(2));
        assertThat(bus.syncPolicy()).isEqualTo(SyncPolicy.ALWAYS);
        assertThat(bus.syncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(bus.retentionBytes()).isEqualTo(1L << 30);
        assertThat(bus.retentionAge()).isEqualTo(Duration.ofDays(7));
        assertThat(bus.channelMaxDepth()).isEqualTo(1000);
        assertThat(bus.depthPolicy()).isEqualTo(DepthPolicy.DROP_OLDEST);
        assertThat(bus.maxDataBytes()).isEqualTo(10L << 30);
        assertThat(bus.minFreeDiskBytes()).isZero();
        assertThat(bus.segmentBytes()).isEqualTo(1 << 20);
    }

    @Test
    void shouldTakeAnAtSignAsPartOfAValueNotAsAFileOfArguments() throws Exception {
        Path args = java.nio.file.Files.createTempFile("args", ".txt");
        try {
            java.nio.file.Files.writeString(args, "-msg-timeout=5s\n");
            ServerSettings s = parse("-broadcast-address", "@" + args).settings();
            assertThat(s.broadcastAddress()).isEqualTo("@" + args);
            assertThat(s.protocol().msgTimeout()).isEqualTo(Duration.ofSeconds(60));
        } finally {
            java.nio.file.Files.delete(args);
        }
    }

    @Test
    void shouldTurnDeflateAndSnappyOffWithFalseAndOnWhenAlone() {
        ServerOptions off = parse("-deflate=false", "--snappy=0").settings().protocol();
        assertThat(off.deflateEnabled()).isFalse();
        assertThat(off.snappyEnabled()).isFalse();
        ServerOptions on = parse("-deflate=false", "-deflate", "--snappy=F", "--snappy=True")
                .settings()
                .protocol();
        assertThat(on.deflateEnabled()).isTrue();
        assertThat(on.snappyEnabled()).isTrue();
    }

    @Test
    void shouldTurnAnEmptyHttpAddressIntoNoHttpAndAnEmptyDataPathIntoTheCurrentDirectory() {
        ServerSettings s = parse("-http-address=", "--data-path", "").settings();
        assertThat(s.httpAddress()).isNull();
        assertThat(s.embeddedEngine().orElseThrow().dataDir()).contains(Path.of("."));
    }

    @Test
    void shouldTakeTheEngineUriAndAddTheStorageFlagsGivenAsItsParameters() {
        ServerSettings memory =
                parse("--engine", "memory:", "--mem-queue-size", "50").settings();
        assertThat(memory.engine().toString()).isEqualTo("memory:?mem-queue-size=50");
        assertThat(memory.dataPath())
                .as("the memory queues' database stays in --data-path")
                .isEqualTo(Path.of("./data"));

        ServerSettings file = parse(
                        "--engine=file:/var/lib/ferry?sync=always",
                        "--sync=ALWAYS",
                        "--segment-bytes=1048576",
                        "--data-path=/var/lib/ferry/")
                .settings();
        EmbeddedEngineConfig e = file.embeddedEngine().orElseThrow();
        assertThat(e.dataDir()).contains(Path.of("/var/lib/ferry"));
        assertThat(e.syncPolicy())
                .as("the same policy twice is no contradiction")
                .isEqualTo(SyncPolicy.ALWAYS);
        assertThat(e.segmentBytes()).isEqualTo(1 << 20);
        assertThat(file.dataPath()).isEqualTo(Path.of("/var/lib/ferry"));

        ServerSettings byDataPath = parse("--data-path=/srv/d", "--sync=never").settings();
        assertThat(byDataPath.engine().toString()).isEqualTo("file:/srv/d?sync=never");
    }

    @Test
    void shouldRefuseAFlagThatContradictsTheEngineNamingBoth() {
        record Case(String[] args, String message) {}
        List<Case> cases = List.of(
                new Case(
                        new String[] {"--engine=file:/a?sync=always", "--sync=never"},
                        "--sync=never contradicts --engine file:/a?sync=always (sync=always)"),
                new Case(
                        new String[] {"--engine=file:/a", "--data-path=/b"},
                        "--data-path /b contradicts --engine file:/a (directory /a)"),
                new Case(
                        new String[] {"--engine=memory:", "--segment-bytes=8192"},
                        "--segment-bytes does not apply to --engine memory: (it takes channel-max-depth,"),
                new Case(
                        new String[] {"--engine=file:/a?max-message-bytes=1024", "--max-msg-size=2048"},
                        "--max-msg-size 2048 is over --engine's max-message-bytes=1024"),
                new Case(
                        new String[] {"--engine=kafka://broker:9092"},
                        "--engine: no engine for scheme 'kafka:' on the class path; the schemes there are: file:,"
                                + " memory:"),
                new Case(
                        new String[] {"--engine=file:/a?colour=blue"},
                        "--engine: the engine file: takes no parameter 'colour'"),
                new Case(new String[] {"--engine=nothing here"}, "--engine: engine URI 'nothing here' has no scheme"));
        for (Case c : cases) {
            List<String> args = new ArrayList<>(List.of("server"));
            args.addAll(List.of(c.args()));
            Run r = run(args.toArray(String[]::new));
            assertThat(r.exit()).as(args.toString()).isEqualTo(2);
            assertThat(r.err()).as(args.toString()).contains(c.message());
        }
    }

    @Test
    void shouldReadTheTlsFlagsIntoTheirTypes() {
        TlsFlags tls = parse(
                        "--tls-required",
                        "-tls-client-auth-policy",
                        "require-verify",
                        "-tls-root-ca-file=/etc/ca.pem",
                        "--tls-min-version=TLS1.2",
                        "-https-address=:4152")
                .settings()
                .tls();
        assertThat(tls.required()).isEqualTo(TlsSettings.Required.YES);
        assertThat(tls.clientAuthPolicy()).isEqualTo(TlsSettings.ClientAuthPolicy.REQUIRE_VERIFY);
        assertThat(tls.rootCaFile()).isEqualTo(Path.of("/etc/ca.pem"));
        assertThat(tls.minVersion()).isEqualTo(TlsSettings.Version.TLS_1_2);
        assertThat(tls.minVersion().protocol()).isEqualTo("TLSv1.2");
        assertThat(tls.httpsAddress()).isEqualTo(new HostPort("0.0.0.0", 4152));
        assertThat(parse("-tls-required=tcp-https").settings().tls().required())
                .isEqualTo(TlsSettings.Required.TCP_HTTPS);
        assertThat(parse("-tls-required=FALSE", "-tls-min-version=").settings().tls())
                .extracting(TlsFlags::required, TlsFlags::minVersion)
                .containsExactly(TlsSettings.Required.NO, TlsSettings.Version.TLS_1_0);
        assertThat(parse("-https-address=").settings().tls().httpsAddress()).isNull();
    }

    @Test
    void shouldKeepEveryLookupdAddressAndTheBroadcastPorts() {
        LookupdFlags lookupd = parse(
                        "-lookupd-tcp-address=10.0.0.1:4160",
                        "--lookupd-tcp-address",
                        "10.0.0.2:4160",
                        "-broadcast-tcp-port=14150",
                        "-broadcast-http-port=14151")
                .settings()
                .lookupd();
        assertThat(lookupd.addresses()).containsExactly(new HostPort("10.0.0.1", 4160), new HostPort("10.0.0.2", 4160));
        assertThat(lookupd.broadcastTcpPort()).isEqualTo(14150);
        assertThat(lookupd.broadcastHttpPort()).isEqualTo(14151);
    }

    @Test
    void shouldNameTheIgnoredFlagsGivenWithTheirValuesAndWhyInOneLine() {
        Parsed p = parse(
                "-sync-every=100",
                "--sync-timeout",
                "1s",
                "-statsd-address=127.0.0.1:8125",
                "-statsd-mem-stats=false",
                "-e2e-processing-latency-percentile=0.99,0.95",
                "-node-id=7",
                "-worker-id",
                "-verbose",
                "-tls-required",
                "-msg-timeout=5s");
        assertThat(p.ignored())
                .isEqualTo("ignoring flags Ferry does not apply: --verbose=true (deprecated in nsqd, where it does"
                        + " nothing either; use --log-level); --node-id=7 (Ferry's message IDs carry no node ID);"
                        + " --worker-id=true (deprecated in nsqd, replaced by --node-id); --sync-every=100,"
                        + " --sync-timeout=1s (Ferry syncs by its --sync policy and --sync-interval);"
                        + " --statsd-address=127.0.0.1:8125, --statsd-mem-stats=false (Ferry sends no statsd"
                        + " metrics; GET /stats has them); --e2e-processing-latency-percentile=0.99,0.95 (Ferry"
                        + " does not compute end-to-end latency percentiles)");
        assertThat(parse("-msg-timeout=5s", "-deflate=false").ignored()).isEmpty();
    }

    @Test
    void shouldAcceptEveryNsqdFlag() {
        // nsqd 1.3's flags (apps/nsqd/options.go), each with a value of its type
        String[] nsqd = {
            "-config=",
            "-log-level=warn",
            "-log-prefix=[x] ",
            "-verbose",
            "-node-id=1",
            "-worker-id",
            "-https-address=0.0.0.0:4152",
            "-http-address=127.0.0.1:4151",
            "-tcp-address=127.0.0.1:4150",
            "-auth-http-address=a:1",
            "-broadcast-address=h",
            "-broadcast-tcp-port=1",
            "-broadcast-http-port=2",
            "-lookupd-tcp-address=l:4160",
            "-http-client-connect-timeout=2s",
            "-http-client-request-timeout=5s",
            "-data-path=d",
            "-mem-queue-size=1",
            "-max-bytes-per-file=1",
            "-sync-every=1",
            "-sync-timeout=1s",
            "-queue-scan-worker-pool-max=1",
            "-queue-scan-selection-count=1",
            "-msg-timeout=1s",
            "-max-msg-timeout=1s",
            "-max-msg-size=1",
            "-max-req-timeout=1s",
            "-max-body-size=1",
            "-max-heartbeat-interval=1s",
            "-max-rdy-count=1",
            "-max-output-buffer-size=64",
            "-max-output-buffer-timeout=1s",
            "-min-output-buffer-timeout=1ms",
            "-output-buffer-timeout=1ms",
            "-max-channel-consumers=1",
            "-statsd-address=s:1",
            "-statsd-interval=1s",
            "-statsd-mem-stats",
            "-statsd-prefix=p",
            "-statsd-udp-packet-size=1",
            "-statsd-exclude-ephemeral",
            "-e2e-processing-latency-percentile=1",
            "-e2e-processing-latency-window-time=1s",
            "-tls-cert=",
            "-tls-key=",
            "-tls-client-auth-policy=require",
            "-tls-root-ca-file=ca",
            "-tls-required=tcp-https",
            "-tls-min-version=tls1.3",
            "-deflate",
            "-max-deflate-level=1",
            "-snappy=false"
        };
        assertThat(parse(nsqd).settings()).isNotNull();
    }

    @Test
    void shouldFailAsAUsageErrorWithExitCode2AndSayWhy() {
        record Case(String[] args, String message) {}
        List<Case> cases = List.of(
                new Case(new String[] {"--no-such-flag"}, "unknown flag: --no-such-flag"),
                new Case(new String[] {"-msg-timeout=tomorrow"}, "invalid duration \"tomorrow\""),
                new Case(new String[] {"--max-rdy-count", "many"}, "\"many\" is not an integer"),
                new Case(new String[] {"-snappy", "false"}, "unexpected argument \"false\""),
                new Case(new String[] {"-deflate=maybe"}, "\"maybe\" is not a boolean"),
                new Case(new String[] {"extra"}, "unexpected argument \"extra\""),
                new Case(new String[] {"--", "-snappy"}, "after \"--\""),
                new Case(new String[] {"-tcp-address=nonsense"}, "--tcp-address must be <addr>:<port>"),
                new Case(new String[] {"-max-deflate-level=12"}, "--max-deflate-level must be 1-9, got 12"),
                new Case(
                        new String[] {"-max-msg-size=10", "-max-body-size=5"},
                        "--max-body-size (5) must be at least --max-msg-size (10)"),
                new Case(new String[] {"-node-id=1024"}, "--node-id must be 0-1023, got 1024"),
                new Case(new String[] {"-mem-queue-size=-1"}, "--mem-queue-size must not be negative, got -1"),
                new Case(new String[] {"-max-req-timeout=-1s"}, "--max-req-timeout must not be negative"),
                new Case(
                        new String[] {"-e2e-processing-latency-percentile=1.5"},
                        "--e2e-processing-latency-percentile must be in (0, 1], got 1.5"),
                new Case(new String[] {"-tls-required=sometimes"}, "not one of true, false, tcp-https"),
                new Case(new String[] {"-tls-min-version=ssl3.0"}, "nsqd 1.3 refuses ssl3.0 too"),
                new Case(new String[] {"-tls-client-auth-policy=maybe"}, "not one of require, require-verify"),
                new Case(new String[] {"-log-level=loud"}, "not one of debug, info, warn, error, fatal"),
                new Case(new String[] {"-sync=sometimes"}, "not one of always, interval, never"),
                new Case(new String[] {"-tls-cert=c.pem"}, "--tls-cert and --tls-key go together"),
                new Case(new String[] {"-segment-bytes=100"}, "--segment-bytes must be at least 4096"));
        for (Case c : cases) {
            List<String> args = new ArrayList<>(List.of("server"));
            args.addAll(List.of(c.args()));
            Run r = run(args.toArray(String[]::new));
            assertThat(r.exit()).as(args.toString()).isEqualTo(2);
            assertThat(r.err())
                    .as(args.toString())
                    .startsWith("ferry server: ")
                    .contains(c.message())
                    .contains("Run 'ferry server --help' for its flags.");
        }
    }

    @Test
    void shouldPrintTheVersionAndTheFlags() {
        Run version = run("server", "-version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("ferry ");
        Run help = run("server", "-help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--lookupd-tcp-address=HOST:PORT", "--sync-every=N", "Go's forms");
        assertThat(run("server", "-h").out()).isEqualTo(help.out());
    }
}
