package dev.ferry.server;

import dev.ferry.DepthPolicy;
import dev.ferry.SyncPolicy;
import dev.ferry.nsq.TlsSettings;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Every flag of {@code ferry server}: all of nsqd 1.3's, under nsqd's names and defaults, then Ferry's
 * own. This is the one list of them: picocli's model (help, usage errors), the quick start's reading
 * without picocli ({@link ServerFlagReader}), the Go-syntax reading ({@link GoFlagArgs}), the option
 * file ({@link NsqdConfigFile}) and the start-up line of ignored flags all work from these
 * declarations (through {@link FlagSpec}, which reads them by plain reflection). A new flag's type
 * needs a {@code converter} unless it is a string, a boolean, a path or a list of strings. {@link ServerSettings} checks the values and turns them into the
 * broker's configuration.
 *
 * <p>A field's annotations say what the other readers need: {@link ConfigKey} when the option file
 * names it otherwise than the flag with {@code _} for {@code -}, {@link CommandLineOnly} when the
 * file cannot set it, {@link Ignored} with the reason when Ferry accepts it but does not apply it.
 * A flag that Go reads as a boolean has {@code arity = "0..1"}.
 */
final class ServerFlags {
    /** The option file's key of a flag, when it is not the flag's name with {@code _} for {@code -}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface ConfigKey {
        String value();
    }

    /** A flag the option file cannot set. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface CommandLineOnly {}

    /** A flag Ferry accepts and checks but does not apply, and why; logged at start when given. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface Ignored {
        String value();
    }

    private static final String DISK_SYNC = "Ferry syncs by its --sync policy and --sync-interval";
    private static final String QUEUE_SCAN =
            "Ferry has no queue scan to tune: each channel keeps its deadlines in order";
    private static final String STATSD = "Ferry sends no statsd metrics; GET /stats has them";
    private static final String E2E = "Ferry does not compute end-to-end latency percentiles";

    /** {@code --log-level}, with the slf4j level it maps to. */
    enum LogLevel {
        DEBUG("debug"),
        INFO("info"),
        WARN("warn"),
        ERROR("error"),
        FATAL("error");

        private final String slf4j;

        LogLevel(String slf4j) {
            this.slf4j = slf4j;
        }

        /** The level for slf4j-simple's {@code defaultLogLevel}; it has no fatal, so fatal is error. */
        String slf4jLevel() {
            return slf4j;
        }

        static final class Converter extends EnumFlag<LogLevel> {
            Converter() {
                super(LogLevel.class);
            }
        }
    }

    static final class SyncPolicyConverter extends EnumFlag<SyncPolicy> {
        SyncPolicyConverter() {
            super(SyncPolicy.class);
        }
    }

    static final class DepthPolicyConverter extends EnumFlag<DepthPolicy> {
        DepthPolicyConverter() {
            super(DepthPolicy.class);
        }
    }

    // ---- basics -------------------------------------------------------------------------------------

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show these flags and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @CommandLineOnly
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "nsqd's TOML option file (keys: the flag names with _ for -), which may also hold"
                    + " Ferry's settings; flags given on the command line win over it.")
    String config;

    @Option(
            names = "--log-level",
            defaultValue = "info",
            paramLabel = "LEVEL",
            converter = LogLevel.Converter.class,
            description = "Log verbosity: debug, info, warn, error or fatal.")
    LogLevel logLevel;

    @Ignored("Ferry's log lines carry no prefix")
    @Option(names = "--log-prefix", defaultValue = "[nsqd] ", paramLabel = "TEXT", description = "Ignored by Ferry.")
    String logPrefix;

    @Ignored("deprecated in nsqd, where it does nothing either; use --log-level")
    @Option(
            names = "--verbose",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "BOOL",
            description = "Deprecated in nsqd; ignored.")
    boolean verbose;

    @Ignored("Ferry's message IDs carry no node ID")
    @ConfigKey("id")
    @Option(
            names = "--node-id",
            paramLabel = "ID",
            converter = GoValues.Int64.class,
            description = "nsqd's node ID in message IDs, 0-1023; checked, ignored by Ferry.")
    Long nodeId;

    @Ignored("deprecated in nsqd, replaced by --node-id")
    @Option(
            names = "--worker-id",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "BOOL",
            description = "Deprecated in nsqd; ignored.")
    boolean workerId;

    // ---- addresses ----------------------------------------------------------------------------------

    @Option(
            names = "--https-address",
            defaultValue = "127.0.0.1:4152",
            paramLabel = "HOST:PORT",
            description = "Where to serve nsqd's HTTP API over TLS when --tls-cert is set; empty for none.")
    String httpsAddress;

    @Option(
            names = "--http-address",
            defaultValue = "127.0.0.1:4151",
            paramLabel = "HOST:PORT",
            description = "Where to serve nsqd's HTTP API; empty for none.")
    String httpAddress;

    @Option(
            names = "--tcp-address",
            defaultValue = "127.0.0.1:4150",
            paramLabel = "HOST:PORT",
            description = "Where to serve NSQ's TCP protocol.")
    String tcpAddress;

    @ConfigKey("auth_http_addresses")
    @Option(
            names = "--auth-http-address",
            paramLabel = "HOST:PORT",
            description = "Auth service to ask on AUTH, <addr>:<port> or a URL (repeatable).")
    List<String> authHttpAddresses = new ArrayList<>();

    @Option(
            names = "--broadcast-address",
            paramLabel = "HOST",
            description = "The address this node is reached at, as /info, the lookup answers and the"
                    + " registration with nsqlookupd give it (default: the host name).")
    String broadcastAddress;

    @Option(
            names = "--broadcast-tcp-port",
            defaultValue = "0",
            paramLabel = "PORT",
            converter = GoValues.Int.class,
            description = "TCP port to register with nsqlookupd; 0 for the one listened on.")
    int broadcastTcpPort;

    @Option(
            names = "--broadcast-http-port",
            defaultValue = "0",
            paramLabel = "PORT",
            converter = GoValues.Int.class,
            description = "HTTP port to register with nsqlookupd; 0 for the one listened on.")
    int broadcastHttpPort;

    @ConfigKey("nsqlookupd_tcp_addresses")
    @Option(
            names = "--lookupd-tcp-address",
            paramLabel = "HOST:PORT",
            description = "nsqlookupd (or ferry lookupd) to register with, over its TCP protocol (repeatable).")
    List<String> lookupdTcpAddresses = new ArrayList<>();

    @ConfigKey("nsqlookupd_http_addresses")
    @Option(
            names = "--lookupd-http-address",
            paramLabel = "HOST:PORT",
            description = "nsqlookupd (or ferry lookupd) whose nodes the admin page at / lists, over its HTTP API"
                    + " (repeatable; Ferry's, as nsqadmin's).")
    List<String> lookupdHttpAddresses = new ArrayList<>();

    @Option(
            names = "--http-client-connect-timeout",
            defaultValue = "2s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Timeout to connect to an auth service.")
    Duration httpClientConnectTimeout;

    @Option(
            names = "--http-client-request-timeout",
            defaultValue = "5s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Timeout of a whole request to an auth service.")
    Duration httpClientRequestTimeout;

    // ---- storage ------------------------------------------------------------------------------------

    @Option(
            names = "--data-path",
            defaultValue = "./data",
            paramLabel = "DIR",
            description = "Directory of the data (the engine's when --engine is not given; the memory queues'"
                    + " database otherwise); empty for the current one.")
    String dataPath;

    @Option(
            names = "--mem-queue-size",
            defaultValue = "10000",
            paramLabel = "N",
            converter = GoValues.Int.class,
            description = "Messages each ephemeral topic and channel holds (Ferry stores the others on disk"
                    + " anyway); past it the oldest are dropped.")
    int memQueueSize;

    @Ignored("Ferry's topic logs roll at --segment-bytes")
    @Option(
            names = "--max-bytes-per-file",
            defaultValue = "104857600",
            paramLabel = "BYTES",
            converter = GoValues.Int64.class,
            description = "nsqd's diskqueue file size; ignored, see --segment-bytes.")
    long maxBytesPerFile;

    @Ignored(DISK_SYNC)
    @Option(
            names = "--sync-every",
            defaultValue = "2500",
            paramLabel = "N",
            converter = GoValues.Int64.class,
            description = "nsqd's messages per diskqueue fsync; ignored, see --sync.")
    long syncEvery;

    @Ignored(DISK_SYNC)
    @Option(
            names = "--sync-timeout",
            defaultValue = "2s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "nsqd's time between diskqueue fsyncs; ignored, see --sync-interval.")
    Duration syncTimeout;

    @Ignored(QUEUE_SCAN)
    @Option(
            names = "--queue-scan-worker-pool-max",
            defaultValue = "4",
            paramLabel = "N",
            converter = GoValues.Int.class,
            description = "nsqd's timeout scan workers; ignored.")
    int queueScanWorkerPoolMax;

    @Ignored(QUEUE_SCAN)
    @Option(
            names = "--queue-scan-selection-count",
            defaultValue = "20",
            paramLabel = "N",
            converter = GoValues.Int.class,
            description = "nsqd's channels per timeout scan; ignored.")
    int queueScanSelectionCount;

    // ---- messages -----------------------------------------------------------------------------------

    @Option(
            names = "--msg-timeout",
            defaultValue = "60s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Default in-flight timeout, after which a message is delivered again.")
    Duration msgTimeout;

    @Option(
            names = "--max-msg-timeout",
            defaultValue = "15m",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Largest in-flight timeout a client may ask for or TOUCH up to.")
    Duration maxMsgTimeout;

    @Option(
            names = "--max-msg-size",
            defaultValue = "1048576",
            paramLabel = "BYTES",
            converter = GoValues.Int.class,
            description = "Largest message body.")
    int maxMsgSize;

    @Option(
            names = "--max-req-timeout",
            defaultValue = "1h",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Largest REQ and DPUB delay.")
    Duration maxReqTimeout;

    @Option(
            names = "--max-body-size",
            defaultValue = "5242880",
            paramLabel = "BYTES",
            converter = GoValues.Int.class,
            description = "Largest command body (MPUB).")
    int maxBodySize;

    /** nsqd has the setting but no flag for it; Ferry offers one, unlisted. */
    @Option(
            names = "--client-timeout",
            hidden = true,
            defaultValue = "60s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Default client timeout; heartbeats every half of it.")
    Duration clientTimeout;

    // ---- what clients may ask for -------------------------------------------------------------------

    @Option(
            names = "--max-heartbeat-interval",
            defaultValue = "60s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Largest heartbeat interval a client may ask for.")
    Duration maxHeartbeatInterval;

    @Option(
            names = "--max-rdy-count",
            defaultValue = "2500",
            paramLabel = "N",
            converter = GoValues.Int.class,
            description = "Largest RDY a client may send.")
    int maxRdyCount;

    @Option(
            names = "--max-output-buffer-size",
            defaultValue = "65536",
            paramLabel = "BYTES",
            converter = GoValues.Int.class,
            description = "Largest output buffer a client may ask for.")
    int maxOutputBufferSize;

    @Option(
            names = "--max-output-buffer-timeout",
            defaultValue = "30s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Largest output buffer timeout a client may ask for.")
    Duration maxOutputBufferTimeout;

    @Option(
            names = "--min-output-buffer-timeout",
            defaultValue = "25ms",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Smallest output buffer timeout a client may ask for.")
    Duration minOutputBufferTimeout;

    @Option(
            names = "--output-buffer-timeout",
            defaultValue = "250ms",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Output buffer timeout reported to clients that ask for none (Ferry flushes at once).")
    Duration outputBufferTimeout;

    @Ignored("Ferry does not limit consumers per channel yet")
    @Option(
            names = "--max-channel-consumers",
            defaultValue = "0",
            paramLabel = "N",
            converter = GoValues.Int.class,
            description = "nsqd's consumers per channel, 0 for any; ignored by Ferry so far.")
    int maxChannelConsumers;

    // ---- statsd and end-to-end latency: nsqd's, checked and ignored ---------------------------------

    @Ignored(STATSD)
    @Option(names = "--statsd-address", paramLabel = "HOST:PORT", description = "Ignored by Ferry.")
    String statsdAddress;

    @Ignored(STATSD)
    @Option(
            names = "--statsd-interval",
            defaultValue = "60s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Ignored by Ferry.")
    Duration statsdInterval;

    @Ignored(STATSD)
    @Option(
            names = "--statsd-mem-stats",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "true",
            paramLabel = "BOOL",
            description = "Ignored by Ferry (default: true).")
    boolean statsdMemStats;

    @Ignored(STATSD)
    @Option(names = "--statsd-prefix", defaultValue = "nsq.%s", paramLabel = "TEXT", description = "Ignored by Ferry.")
    String statsdPrefix;

    @Ignored(STATSD)
    @Option(
            names = "--statsd-udp-packet-size",
            defaultValue = "508",
            paramLabel = "BYTES",
            converter = GoValues.Int.class,
            description = "Ignored by Ferry.")
    int statsdUdpPacketSize;

    @Ignored(STATSD)
    @Option(
            names = "--statsd-exclude-ephemeral",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "BOOL",
            description = "Ignored by Ferry.")
    boolean statsdExcludeEphemeral;

    @Ignored(E2E)
    @ConfigKey("e2e_processing_latency_percentiles")
    @Option(
            names = "--e2e-processing-latency-percentile",
            split = ",",
            paramLabel = "FRACTION",
            converter = GoValues.Float64.class,
            description = "Percentiles in (0, 1] (repeatable, or comma-separated); checked, ignored by Ferry.")
    List<Double> e2eProcessingLatencyPercentiles = new ArrayList<>();

    @Ignored(E2E)
    @Option(
            names = "--e2e-processing-latency-window-time",
            defaultValue = "10m",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Ignored by Ferry.")
    Duration e2eProcessingLatencyWindowTime;

    // ---- TLS ----------------------------------------------------------------------------------------

    @Option(
            names = "--tls-cert",
            paramLabel = "FILE",
            description = "PEM certificate offered to clients that ask for TLS (with --tls-key).")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --tls-cert.")
    String tlsKey;

    @Option(
            names = "--tls-client-auth-policy",
            defaultValue = "",
            showDefaultValue = CommandLine.Help.Visibility.NEVER,
            paramLabel = "POLICY",
            converter = TlsFlags.ClientAuthPolicyConverter.class,
            description = "Client certificates: require, or require-verify (signed by --tls-root-ca-file); either"
                    + " makes TLS required.")
    TlsSettings.ClientAuthPolicy tlsClientAuthPolicy;

    @Option(
            names = "--tls-root-ca-file",
            paramLabel = "FILE",
            description = "PEM CA certificates that client certificates are checked against (require-verify).")
    String tlsRootCaFile;

    @Option(
            names = "--tls-required",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "WHEN",
            converter = TlsFlags.RequiredConverter.class,
            description =
                    "Require TLS of clients: true, false, or tcp-https (TCP and HTTPS; plain HTTP still" + " serves).")
    TlsSettings.Required tlsRequired;

    @Option(
            names = "--tls-min-version",
            defaultValue = "tls1.0",
            paramLabel = "VERSION",
            converter = TlsFlags.MinVersionConverter.class,
            description = "Oldest TLS version accepted: tls1.0 to tls1.3 (the JDK refuses those before tls1.2"
                    + " unless its java.security allows them).")
    TlsSettings.Version tlsMinVersion;

    // ---- compression --------------------------------------------------------------------------------

    @Option(
            names = "--deflate",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "true",
            paramLabel = "BOOL",
            description = "Offer deflate to clients in IDENTIFY (default: true); --deflate=false turns it off.")
    boolean deflate;

    @Option(
            names = "--max-deflate-level",
            defaultValue = "6",
            paramLabel = "1-9",
            converter = GoValues.Int.class,
            description = "Largest deflate level a client may ask for.")
    int maxDeflateLevel;

    @Option(
            names = "--snappy",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "true",
            paramLabel = "BOOL",
            description = "Offer snappy to clients in IDENTIFY (default: true); --snappy=false turns it off.")
    boolean snappy;

    // ---- Ferry's own --------------------------------------------------------------------------------

    @Option(
            names = "--engine",
            paramLabel = "URI",
            description = "The engine: file:DIR (embedded and durable; default: file: of --data-path), memory:"
                    + " (nothing survives a stop), or any engine URI on the class path, with its settings as"
                    + " parameters (file:/var/lib/ferry?sync=always&segment-bytes=64MiB). The storage flags"
                    + " given (--sync, --segment-bytes, --mem-queue-size, ...) add to those parameters; one that"
                    + " contradicts the URI, or that the engine does not take, is refused.")
    String engine;

    @Option(
            names = "--sync",
            defaultValue = "interval",
            paramLabel = "POLICY",
            converter = SyncPolicyConverter.class,
            description = "When data is forced to disk: always (before acknowledging), interval or never.")
    SyncPolicy sync;

    @Option(
            names = "--sync-interval",
            defaultValue = "100ms",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Time between syncs under --sync=interval: what a machine crash can lose.")
    Duration syncInterval;

    @Option(
            names = "--retention-bytes",
            defaultValue = "0",
            paramLabel = "BYTES",
            converter = GoValues.Int64.class,
            description = "Per topic: the most bytes its log keeps before the oldest segments go; 0 for no bound.")
    long retentionBytes;

    @Option(
            names = "--retention-age",
            defaultValue = "0",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "Per topic: how long a message is kept; 0 for no bound.")
    Duration retentionAge;

    @Option(
            names = "--channel-max-depth",
            defaultValue = "0",
            paramLabel = "N",
            converter = GoValues.Int64.class,
            description = "Most ready messages a durable channel holds; 0 for no bound.")
    long channelMaxDepth;

    @Option(
            names = "--depth-policy",
            defaultValue = "reject",
            paramLabel = "POLICY",
            converter = DepthPolicyConverter.class,
            description = "What a channel at --channel-max-depth does: reject the publish or drop-oldest.")
    DepthPolicy depthPolicy;

    @Option(
            names = "--max-data-bytes",
            defaultValue = "0",
            paramLabel = "BYTES",
            converter = GoValues.Int64.class,
            description = "Most bytes all logs may hold, past which publishes fail; 0 for no bound.")
    long maxDataBytes;

    @Option(
            names = "--min-free-disk-bytes",
            defaultValue = "67108864",
            paramLabel = "BYTES",
            converter = GoValues.Int64.class,
            description = "Free disk space below which publishes fail.")
    long minFreeDiskBytes;

    @Option(
            names = "--segment-bytes",
            defaultValue = "67108864",
            paramLabel = "BYTES",
            converter = GoValues.Int.class,
            description = "Size at which a topic's log starts a new file.")
    int segmentBytes;

    @ConfigKey("mqueues")
    @Option(
            names = "--mqueue",
            paramLabel = "DEFINITION",
            description = "A memory queue, as Kamailio's mqueue parameter: name=..;size=..;dbmode=..;addmode=..;"
                    + " repeatable.")
    List<String> mqueues = new ArrayList<>();

    @Option(
            names = "--mqueue-db-url",
            paramLabel = "JDBC-URL",
            description = "Database of the memory queues with a dbmode (default: SQLite mqueue.db in --data-path).")
    String mqueueDbUrl;

    @Option(
            names = "--federation-secrets",
            paramLabel = "FILE",
            description = "Accept federation (NSQ's protocol inside a WebSocket at /federate on the HTTP and HTTPS"
                    + " ports) from peers holding one of the secrets in FILE: one a line, NAME ACCESS PATTERNS SECRET"
                    + " (ACCESS read, write or rw; PATTERNS comma-separated topic patterns, * for any run).")
    Path federationSecrets;
}
