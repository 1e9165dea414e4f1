package dev.ferry.server;

import dev.ferry.FerryException;
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
import java.util.stream.Stream;

/**
 * A start of {@code ferry server} once its flags are read, by picocli ({@link ServerCommand}) or
 * without it ({@link ServerFlagReader}): {@link #check} validates everything a user can get wrong
 * before anything is opened, {@link #run} starts the broker and serves until SIGTERM. Neither uses
 * picocli, so the quick start links only classes the AOT cache holds.
 *
 * <p>Threads: the caller's thread checks, starts and then waits in {@link #run}; a shutdown hook
 * wakes it on SIGTERM and waits for it to close everything.
 */
final class ServerStart implements ServiceStart {
    private final ServerFlags flags;
    private final Map<String, List<String>> given;
    private final ServerSettings settings;
    private final TlsSettings tls;
    private final FederationSettings federation;
    private final BrokerMemoryQueues memoryQueues;

    private ServerStart(
            ServerFlags flags,
            Map<String, List<String>> given,
            ServerSettings settings,
            TlsSettings tls,
            FederationSettings federation,
            BrokerMemoryQueues memoryQueues) {
        this.flags = flags;
        this.given = given;
        this.settings = settings;
        this.tls = tls;
        this.federation = federation;
        this.memoryQueues = memoryQueues;
    }

    /**
     * Checks the flags as a whole (ranges, addresses, the engine's settings, the TLS files, the
     * federation secrets, the memory queues' definitions), opening nothing. With TLS, the files are
     * read and parsed here; {@link #run} makes the context on a thread of its own ({@link
     * BackgroundSslContext}) once the listeners are up, and the servers take that one.
     *
     * @param flags the flags, read
     * @param given the flags given (on the command line or in the option file), by canonical name,
     *     with their values as given
     * @throws IllegalArgumentException naming what is wrong: a usage error
     */
    static ServerStart check(ServerFlags flags, Map<String, List<String>> given) {
        ServerSettings settings = ServerSettings.from(flags, given.keySet());
        TlsSettings tls = settings.tls().settings();
        if (tls != null) {
            tls.checkFiles();
        }
        FederationSettings federation = null;
        if (flags.federationSecrets != null) {
            try {
                federation = FederationSettings.load(flags.federationSecrets);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--federation-secrets: " + e.getMessage(), e);
            }
        }
        BrokerMemoryQueues memoryQueues =
                BrokerMemoryQueues.parse(flags.mqueues, flags.mqueueDbUrl, settings.dataPath());
        return new ServerStart(flags, Map.copyOf(given), settings, tls, federation, memoryQueues);
    }

    /** The flags' values the settings come from. */
    ServerFlags flags() {
        return flags;
    }

    /** The settings the broker runs with. */
    ServerSettings settings() {
        return settings;
    }

    /** The line naming the flags given that Ferry ignores, and why; empty when none is. */
    Optional<String> ignoredFlagsLine() {
        return FlagSpec.ignoredLine(FlagSpec.of(ServerFlags.class), given);
    }

    /**
     * Names the ignored flags given, starts the engine and the listeners, says where they listen on
     * {@code err}, then blocks until SIGTERM and closes everything.
     *
     * @return 0, the exit code of a clean stop
     * @throws dev.ferry.FerryException when the broker cannot start (a port in use, the data
     *     directory locked or damaged), before it serves
     * @throws InterruptedException when the thread is interrupted while serving
     */
    @Override
    public int run(PrintWriter err) throws InterruptedException {
        ServiceRunner.prepare(err, ignoredFlagsLine(), given, settings.logLevel());
        // made once the listeners are up, after prepare (its making creates loggers, which read
        // --log-level once)
        BackgroundSslContext sslContext = tls == null ? null : new BackgroundSslContext(tls);
        ServerOptions options = settings.protocol();
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
                    .tls(tls, sslContext)
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
            if (sslContext != null) {
                try {
                    // /ping answers meanwhile; refused only if the JDK rejects files that parsed
                    sslContext.await();
                } catch (IllegalArgumentException e) {
                    throw new FerryException(e.getMessage(), e);
                }
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

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
