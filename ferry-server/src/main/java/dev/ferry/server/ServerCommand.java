package dev.ferry.server;

import dev.ferry.nsq.AuthSettings;
import dev.ferry.nsq.FederationSettings;
import dev.ferry.nsq.LookupdRegistration;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.TlsSettings;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Engines;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ferry server}: the broker. Serves NSQ's TCP protocol and nsqd's HTTP API over the engine
 * {@code --engine} names (the embedded engine in {@code --data-path} by default). Its command line is nsqd 1.3's: every nsqd flag, in every form Go's flag package reads, and
 * {@code --config FILE} for nsqd's TOML option file ({@link ServerFlags}, {@link ServerArgs}); Ferry's
 * own settings sit beside them. SIGTERM (or Ctrl-C) stops accepting, requeues what is in flight, syncs
 * the data and exits 0.
 *
 * <p>Threads: picocli's (the caller's) parses, starts and then waits; a shutdown hook wakes it on
 * SIGTERM and waits for it to close everything.
 */
@Command(
        name = "server",
        versionProvider = FerryVersion.class,
        preprocessor = ServerArgs.class,
        sortOptions = false,
        showDefaultValues = true,
        usageHelpAutoWidth = true,
        description = "Run the broker: NSQ's TCP protocol and nsqd's HTTP API over an engine (--engine; by default"
                + " the embedded one, durable in --data-path).",
        customSynopsis = "ferry server [FLAG]...",
        footer = {
            "",
            "The flags are nsqd 1.3's, with Ferry's own last. They take Go's forms: -flag value, -flag=value,"
                    + " --flag value, --flag=value; a boolean flag alone means true and takes a value only after"
                    + " '=' (-snappy=false).",
            "In a --config file a flag is a key with _ for - (msg_timeout = \"60s\"). Flags said to be ignored"
                    + " are accepted and checked; the broker names the ones given, and why, as it starts."
        })
final class ServerCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private ServerFlags flags;

    @Override
    public Integer call() throws InterruptedException {
        ServerSettings settings = settings();
        PrintWriter err = spec.commandLine().getErr();
        ServiceRunner.prepare(spec, settings.logLevel());
        ServerOptions options = settings.protocol();
        TlsSettings tls = tlsSettings(settings.tls());
        HostPort https = tls == null ? null : settings.tls().httpsAddress();
        Listeners.Listener tcpListener = new Listeners.Listener("TCP", settings.tcpAddress(), "--tcp-address");
        Listeners.Listener httpsListener =
                https == null ? null : new Listeners.Listener("HTTPS", https, "--https-address");
        Listeners.Listener httpListener = settings.httpAddress() == null
                ? null
                : new Listeners.Listener("HTTP", settings.httpAddress(), "--http-address");
        // before the data directory is created or locked: a port in use leaves nothing behind
        Listeners.checkFree(Stream.of(tcpListener, httpsListener, httpListener)
                .filter(Objects::nonNull)
                .toList());
        if (settings.engine().scheme().equals("file")) {
            DataDirectoryCheck.check(settings.dataPath(), "--data-path");
        }
        FederationSettings federation = federationSettings();
        BrokerMemoryQueues memoryQueues =
                BrokerMemoryQueues.parse(spec.commandLine(), flags.mqueues, flags.mqueueDbUrl, settings.dataPath());
        Engine engine = Engines.open(settings.engine(), options.clock());
        NsqTcpServer server;
        NsqTcpServer httpServer = null;
        NsqTcpServer httpsServer = null;
        Map<String, Object> info = Collections.synchronizedMap(new LinkedHashMap<>());
        List<NsqTcpServer> listening = new ArrayList<>();
        try {
            AuthSettings auth = settings.authHttpAddresses().isEmpty()
                    ? null
                    : new AuthSettings(
                            settings.authHttpAddresses(),
                            settings.httpClientConnectTimeout(),
                            settings.httpClientRequestTimeout());
            NsqTcpServer.Builder servers = NsqTcpServer.builder(engine)
                    .options(options)
                    .tls(tls)
                    .auth(auth)
                    .info(info)
                    .queueState(engine.capabilities().contains(Engine.Capability.QUEUE_STATE))
                    .routes(memoryQueues.open())
                    .lookupdHttpAddresses(flags.lookupdHttpAddresses)
                    .federation(federation);
            HostPort address = settings.tcpAddress();
            server = Listeners.start(tcpListener, () -> servers.startTcp(address.host(), address.port()));
            listening.add(server);
            if (https != null) {
                httpsServer = Listeners.start(httpsListener, () -> servers.startHttps(https.host(), https.port()));
                listening.add(httpsServer);
                servers.httpsPort(httpsServer.port());
            }
            HostPort http = settings.httpAddress();
            if (http != null) {
                httpServer = Listeners.start(httpListener, () -> servers.startHttp(http.host(), http.port()));
                listening.add(httpServer);
            }
        } catch (RuntimeException e) {
            listening.reversed().forEach(NsqTcpServer::close);
            memoryQueues.close();
            engine.close();
            throw e;
        }
        describeNode(info, settings, server, httpServer);
        LookupdRegistration registration = register(engine, settings.lookupd(), info);
        // the engine names itself: a URI's parameters (or a password in it) stay out of the log
        err.printf("engine: %s%n", engine.name());
        err.printf("TCP: listening on %s:%d%n", settings.tcpAddress().host(), server.port());
        if (httpsServer != null) {
            err.printf("HTTPS: listening on %s:%d%n", https.host(), httpsServer.port());
        }
        if (httpServer != null) {
            err.printf("HTTP: listening on %s:%d%n", settings.httpAddress().host(), httpServer.port());
        }
        if (federation != null) {
            err.printf(
                    "federation: %s on the HTTP%s port, %d secret(s)%n",
                    federation.path(),
                    httpsServer != null ? " and HTTPS" : "",
                    federation.secrets().size());
        }
        err.flush();
        ServiceRunner.runUntilSigterm(err, "stopping: requeueing what is in flight, syncing the data", () -> {
            if (registration != null) {
                registration.close();
            }
            listening.reversed().forEach(NsqTcpServer::close);
            memoryQueues.close();
            engine.close();
        });
        return 0;
    }

    /** Fills what /info and the lookup answers report of this node. */
    private static void describeNode(
            Map<String, Object> info, ServerSettings settings, NsqTcpServer tcp, NsqTcpServer http) {
        ServerOptions options = settings.protocol();
        String hostname = hostName();
        info.put("version", options.version());
        info.put("broadcast_address", settings.broadcastAddress() == null ? hostname : settings.broadcastAddress());
        info.put("hostname", hostname);
        info.put("http_port", http == null ? 0 : http.port());
        info.put("tcp_port", tcp.port());
        info.put("start_time", System.currentTimeMillis() / 1000);
        info.put("max_heartbeat_interval", options.maxHeartbeatInterval().toNanos());
        info.put("max_output_buffer_size", options.maxOutputBufferSize());
        info.put("max_output_buffer_timeout", options.maxOutputBufferTimeout().toNanos());
        info.put("max_deflate_level", options.maxDeflateLevel());
    }

    /**
     * Registers with every {@code --lookupd-tcp-address}, as nsqd: the broadcast address and host name
     * of /info, and the broadcast ports, else the ports listened on. Null when no lookupd is given.
     */
    private static LookupdRegistration register(Engine engine, LookupdFlags lookupd, Map<String, Object> info) {
        if (lookupd.addresses().isEmpty()) {
            return null;
        }
        int tcpPort = lookupd.broadcastTcpPort() != 0 ? lookupd.broadcastTcpPort() : (Integer) info.get("tcp_port");
        int httpPort = lookupd.broadcastHttpPort() != 0 ? lookupd.broadcastHttpPort() : (Integer) info.get("http_port");
        LookupdRegistration.Builder registration = LookupdRegistration.builder(engine)
                .node((String) info.get("broadcast_address"), (String) info.get("hostname"), tcpPort, httpPort)
                .version((String) info.get("version"));
        lookupd.addresses().forEach(a -> registration.lookupd(a.host(), a.port()));
        return registration.start();
    }

    /** After parsing: the settings, or a usage error naming every flag that is wrong. */
    ServerSettings settings() {
        try {
            Set<String> given = spec.commandLine().getParseResult().matchedOptions().stream()
                    .map(o -> o.longestName())
                    .collect(Collectors.toSet());
            return ServerSettings.from(flags, given);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** After parsing: the line naming the flags given that Ferry ignores, and why; empty when none is. */
    Optional<String> ignoredFlagsLine() {
        return ServiceRunner.ignoredFlagsLine(spec);
    }

    /** The federation secrets of --federation-secrets, checked before anything opens; null without the flag. */
    private FederationSettings federationSettings() {
        if (flags.federationSecrets == null) {
            return null;
        }
        try {
            return FederationSettings.load(flags.federationSecrets);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--federation-secrets: " + e.getMessage(), e);
        }
    }

    /** The TLS settings, checked (files included) before anything opens; null without a certificate. */
    private TlsSettings tlsSettings(TlsFlags tlsFlags) {
        try {
            TlsSettings tls = tlsFlags.settings();
            if (tls != null) {
                tls.newServerContext();
            }
            return tls;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
