package dev.ferry.server;

import dev.ferry.BusConfig;
import dev.ferry.SyncPolicy;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.nsq.internal.server.AuthClient;
import dev.ferry.nsq.internal.server.ServerOptions;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry server}: the broker. Serves NSQ's TCP protocol and nsqd's HTTP API over the embedded engine, with nsqd's
 * flag names (also in Go's single-dash form). SIGTERM (or Ctrl-C) stops accepting, requeues what is
 * in flight, syncs the data and exits 0.
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run the broker: NSQ's TCP protocol over the embedded engine.")
final class ServerCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"--tcp-address", "-tcp-address"},
            defaultValue = "127.0.0.1:4150",
            paramLabel = "HOST:PORT",
            description = "<addr>:<port> to listen on for TCP clients (default: ${DEFAULT-VALUE}).")
    private String tcpAddress;

    @Option(
            names = {"--http-address", "-http-address"},
            defaultValue = "127.0.0.1:4151",
            paramLabel = "HOST:PORT",
            description = "<addr>:<port> to listen on for HTTP clients (default: ${DEFAULT-VALUE}).")
    private String httpAddress;

    @Option(
            names = {"--broadcast-address", "-broadcast-address"},
            paramLabel = "HOST",
            description = "Address this node is reached at, as /info reports it (default: the host name).")
    private String broadcastAddress;

    @Option(
            names = {"--tls-cert", "-tls-cert"},
            paramLabel = "FILE",
            description = "PEM certificate offered to clients that ask for TLS (with --tls-key).")
    private Path tlsCert;

    @Option(
            names = {"--tls-key", "-tls-key"},
            paramLabel = "FILE",
            description = "PEM (PKCS#8) private key of --tls-cert.")
    private Path tlsKey;

    @Option(
            names = {"--auth-http-address", "-auth-http-address"},
            paramLabel = "HOST:PORT",
            description = "<addr>:<port> of an auth service to ask on AUTH (repeatable).")
    private List<String> authHttpAddresses = new ArrayList<>();

    @Option(
            names = {"--data-path", "-data-path"},
            defaultValue = "./data",
            paramLabel = "DIR",
            description = "Directory of the embedded engine's data (default: ${DEFAULT-VALUE}).")
    private Path dataPath;

    @Option(
            names = {"--mem-queue-size", "-mem-queue-size"},
            defaultValue = "10000",
            description = "Bound of each ephemeral topic and channel in messages (default: ${DEFAULT-VALUE}).")
    private int memQueueSize;

    @Option(
            names = {"--max-msg-size", "-max-msg-size"},
            defaultValue = "1048576",
            description = "Largest message body in bytes (default: ${DEFAULT-VALUE}).")
    private int maxMsgSize;

    @Option(
            names = {"--max-body-size", "-max-body-size"},
            defaultValue = "5242880",
            description = "Largest command body in bytes (default: ${DEFAULT-VALUE}).")
    private int maxBodySize;

    @Option(
            names = {"--msg-timeout", "-msg-timeout"},
            defaultValue = "60s",
            converter = GoDuration.class,
            description = "Default in-flight timeout (default: ${DEFAULT-VALUE}).")
    private Duration msgTimeout;

    @Option(
            names = {"--max-msg-timeout", "-max-msg-timeout"},
            defaultValue = "15m",
            converter = GoDuration.class,
            description = "Largest in-flight timeout a client may ask for (default: ${DEFAULT-VALUE}).")
    private Duration maxMsgTimeout;

    @Option(
            names = {"--max-req-timeout", "-max-req-timeout"},
            defaultValue = "1h",
            converter = GoDuration.class,
            description = "Largest REQ and DPUB delay (default: ${DEFAULT-VALUE}).")
    private Duration maxReqTimeout;

    @Option(
            names = {"--max-rdy-count", "-max-rdy-count"},
            defaultValue = "2500",
            description = "Largest RDY a client may send (default: ${DEFAULT-VALUE}).")
    private int maxRdyCount;

    @Option(
            names = {"--client-timeout", "-client-timeout"},
            hidden = true,
            defaultValue = "60s",
            converter = GoDuration.class,
            description = "Default client timeout; heartbeats every half of it (default: ${DEFAULT-VALUE}).")
    private Duration clientTimeout;

    @Option(
            names = {"--max-heartbeat-interval", "-max-heartbeat-interval"},
            defaultValue = "60s",
            converter = GoDuration.class,
            description = "Largest heartbeat interval a client may ask for (default: ${DEFAULT-VALUE}).")
    private Duration maxHeartbeatInterval;

    @Option(
            names = {"--max-output-buffer-size", "-max-output-buffer-size"},
            defaultValue = "65536",
            description = "Largest output buffer a client may ask for (default: ${DEFAULT-VALUE}).")
    private int maxOutputBufferSize;

    @Option(
            names = {"--min-output-buffer-timeout", "-min-output-buffer-timeout"},
            defaultValue = "25ms",
            converter = GoDuration.class,
            description = "Smallest output buffer timeout a client may ask for (default: ${DEFAULT-VALUE}).")
    private Duration minOutputBufferTimeout;

    @Option(
            names = {"--max-output-buffer-timeout", "-max-output-buffer-timeout"},
            defaultValue = "30s",
            converter = GoDuration.class,
            description = "Largest output buffer timeout a client may ask for (default: ${DEFAULT-VALUE}).")
    private Duration maxOutputBufferTimeout;

    @Option(
            names = {"--max-deflate-level", "-max-deflate-level"},
            defaultValue = "6",
            description = "Largest deflate level a client may ask for, 1-9 (default: ${DEFAULT-VALUE}).")
    private int maxDeflateLevel;

    @Option(
            names = {"--sync", "-sync"},
            defaultValue = "interval",
            description = "Ferry's sync policy: always, interval or never (default: ${DEFAULT-VALUE}).")
    private String sync;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean signalled;

    @Override
    public Integer call() throws InterruptedException {
        HostPort address = HostPort.parse(spec.commandLine(), "--tcp-address", tcpAddress);
        HostPort http = HostPort.parse(spec.commandLine(), "--http-address", httpAddress);
        SyncPolicy policy;
        try {
            policy = SyncPolicy.valueOf(sync.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--sync must be always, interval or never, got \"" + sync + "\"");
        }
        if (maxDeflateLevel < 1 || maxDeflateLevel > 9) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--max-deflate-level must be 1-9, got " + maxDeflateLevel);
        }
        if (maxRdyCount < 1 || maxMsgSize < 1 || maxBodySize < maxMsgSize || maxOutputBufferSize < 64) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "limits out of range: --max-rdy-count " + maxRdyCount + " (>= 1), --max-msg-size " + maxMsgSize
                            + " (>= 1), --max-body-size " + maxBodySize + " (>= --max-msg-size),"
                            + " --max-output-buffer-size " + maxOutputBufferSize + " (>= 64)");
        }
        BusConfig config = BusConfig.embedded(dataPath)
                .syncPolicy(policy)
                .memQueueSize(memQueueSize)
                .maxMessageSize(maxMsgSize)
                .maxBatchSize(maxBodySize)
                .build();
        ServerOptions defaults = ServerOptions.defaults();
        ServerOptions options = new ServerOptions(
                maxMsgSize,
                maxBodySize,
                maxRdyCount,
                msgTimeout,
                maxMsgTimeout,
                maxReqTimeout,
                clientTimeout.dividedBy(2),
                maxHeartbeatInterval,
                defaults.outputBufferSize(),
                defaults.outputBufferTimeout(),
                minOutputBufferTimeout,
                maxOutputBufferTimeout,
                maxOutputBufferSize,
                maxDeflateLevel,
                defaults.deflateEnabled(),
                defaults.snappyEnabled(),
                defaults.version(),
                config.clock());
        PrintWriter err = spec.commandLine().getErr();
        SslContext tls = tlsContext();
        LocalEngine engine = LocalEngine.open(config);
        NsqTcpServer server;
        NsqTcpServer httpServer;
        Map<String, Object> info = Collections.synchronizedMap(new LinkedHashMap<>());
        try {
            AuthClient auth = authHttpAddresses.isEmpty()
                    ? null
                    : new AuthClient(authHttpAddresses, config.clock(), Duration.ofSeconds(5));
            server = NsqTcpServer.start(engine, options, tls, auth, address.host(), address.port());
            try {
                httpServer = NsqTcpServer.startHttp(engine, options, http.host(), http.port(), info, auth);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        String hostname = hostName();
        info.put("version", options.version());
        info.put("broadcast_address", broadcastAddress == null ? hostname : broadcastAddress);
        info.put("hostname", hostname);
        info.put("http_port", httpServer.port());
        info.put("tcp_port", server.port());
        info.put("start_time", System.currentTimeMillis() / 1000);
        info.put("max_heartbeat_interval", options.maxHeartbeatInterval().toNanos());
        info.put("max_output_buffer_size", options.maxOutputBufferSize());
        info.put("max_output_buffer_timeout", options.maxOutputBufferTimeout().toNanos());
        info.put("max_deflate_level", options.maxDeflateLevel());
        err.printf("TCP: listening on %s:%d%n", address.host(), server.port());
        err.printf("HTTP: listening on %s:%d%n", http.host(), httpServer.port());
        err.flush();
        // SIGTERM runs the shutdown hooks: ours lets this thread close everything in order, then
        // ends the process with 0, the status of a clean stop
        Thread hook = new Thread(
                () -> {
                    signalled = true;
                    stopped.countDown();
                    try {
                        closed.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    Runtime.getRuntime().halt(0);
                },
                "ferry-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        err.println("stopping: requeueing what is in flight, syncing the data");
        err.flush();
        httpServer.close();
        server.close();
        engine.close();
        closed.countDown();
        if (!signalled) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return 0;
    }

    private SslContext tlsContext() {
        if (tlsCert == null && tlsKey == null) {
            return null;
        }
        if (tlsCert == null || tlsKey == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--tls-cert and --tls-key go together; only one was given");
        }
        try {
            return SslContextBuilder.forServer(tlsCert.toFile(), tlsKey.toFile())
                    .build();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "cannot use --tls-cert " + tlsCert + " with --tls-key " + tlsKey + ": " + e.getMessage());
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** A parsed {@code host:port}. */
    record HostPort(String host, int port) {
        static HostPort parse(CommandLine cmd, String flag, String text) {
            int colon = text.lastIndexOf(':');
            try {
                String host = colon <= 0 ? "0.0.0.0" : text.substring(0, colon);
                int port = Integer.parseInt(text.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new HostPort(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port);
            } catch (RuntimeException e) {
                throw new CommandLine.ParameterException(cmd, flag + " must be <addr>:<port>, got \"" + text + "\"");
            }
        }
    }
}
