package dev.ferry.server;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.spi.EngineUri;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * What {@code ferry server} runs with, derived from its flags and checked as a whole before anything
 * is opened. Immutable.
 *
 * @param engine the engine's URI with every storage setting as a parameter: {@code --engine} (or the
 *     {@code file:} URI of {@code --data-path}) plus the storage flags given
 * @param dataPath where the broker keeps its own files (the memory queues' database): the {@code file:}
 *     engine's directory, else {@code --data-path}
 * @param protocol the protocol's limits and defaults
 * @param tcpAddress where to serve the TCP protocol
 * @param httpAddress where to serve the HTTP API, or null for nowhere ({@code --http-address=""})
 * @param broadcastAddress the address to report, or null for the host name
 * @param authHttpAddresses the auth services, none for no auth
 * @param httpClientConnectTimeout the auth client's connect timeout
 * @param httpClientRequestTimeout the auth client's request timeout
 * @param tls the TLS flags
 * @param lookupd the lookupds to register with, and the ports to register
 * @param logLevel {@code --log-level}
 */
record ServerSettings(
        EngineUri engine,
        Path dataPath,
        ServerOptions protocol,
        HostPort tcpAddress,
        HostPort httpAddress,
        String broadcastAddress,
        List<String> authHttpAddresses,
        Duration httpClientConnectTimeout,
        Duration httpClientRequestTimeout,
        TlsFlags tls,
        LookupdFlags lookupd,
        ServerFlags.LogLevel logLevel) {

    ServerSettings {
        authHttpAddresses = List.copyOf(authHttpAddresses);
    }

    /** The embedded engine's settings, when the engine is {@code file:} or {@code memory:}. */
    Optional<EmbeddedEngineConfig> embeddedEngine() {
        return engine.scheme().equals("file") || engine.scheme().equals("memory")
                ? Optional.of(EmbeddedEngineConfig.parse(engine))
                : Optional.empty();
    }

    /**
     * Checks {@code f} and derives the settings. The storage flags in {@code given} (by their long
     * names, from the command line or the option file) become parameters of the engine's URI.
     *
     * @throws IllegalArgumentException naming every flag that is out of range, with its value, and
     *     every flag that contradicts {@code --engine}, with both
     */
    static ServerSettings from(ServerFlags f, Set<String> given) {
        Problems p = new Problems();
        p.notNegative(f);
        HostPort tcp = p.address("--tcp-address", f.tcpAddress);
        HostPort http = f.httpAddress.isEmpty() ? null : p.address("--http-address", f.httpAddress);
        HostPort https = f.httpsAddress.isEmpty() ? null : p.address("--https-address", f.httpsAddress);
        List<HostPort> lookupds = f.lookupdTcpAddresses.stream()
                .map(a -> p.address("--lookupd-tcp-address", a))
                .filter(Objects::nonNull)
                .toList();
        p.check(f.nodeId == null || f.nodeId < 1024, "--node-id must be 0-1023, got " + f.nodeId);
        p.check(f.broadcastTcpPort <= 65535, "--broadcast-tcp-port must be 0-65535, got " + f.broadcastTcpPort);
        p.check(f.broadcastHttpPort <= 65535, "--broadcast-http-port must be 0-65535, got " + f.broadcastHttpPort);
        p.check(f.maxMsgSize != 0, "--max-msg-size must be at least 1, got " + f.maxMsgSize);
        p.check(
                f.maxBodySize >= f.maxMsgSize,
                "--max-body-size (" + f.maxBodySize + ") must be at least --max-msg-size (" + f.maxMsgSize + ")");
        p.check(f.maxRdyCount != 0, "--max-rdy-count must be at least 1, got " + f.maxRdyCount);
        p.check(
                f.maxOutputBufferSize < 0 || f.maxOutputBufferSize >= 64,
                "--max-output-buffer-size must be at least 64, got " + f.maxOutputBufferSize);
        p.check(
                f.maxDeflateLevel < 0 || (f.maxDeflateLevel >= 1 && f.maxDeflateLevel <= 9),
                "--max-deflate-level must be 1-9, got " + f.maxDeflateLevel);
        p.check(
                f.msgTimeout.toMillis() >= 1,
                "--msg-timeout must be at least 1ms, got " + GoDuration.format(f.msgTimeout));
        p.check(
                f.clientTimeout.toMillis() >= 2,
                "--client-timeout must be at least 2ms, got " + GoDuration.format(f.clientTimeout));
        p.check(
                f.syncInterval.toMillis() >= 1,
                "--sync-interval must be at least 1ms, got " + GoDuration.format(f.syncInterval));
        p.check(
                f.segmentBytes < 0 || f.segmentBytes >= 4096,
                "--segment-bytes must be at least 4096, got " + f.segmentBytes);
        for (double percentile : f.e2eProcessingLatencyPercentiles) {
            p.check(
                    percentile > 0 && percentile <= 1,
                    "--e2e-processing-latency-percentile must be in (0, 1], got " + percentile);
        }
        Path cert = path(f.tlsCert);
        Path key = path(f.tlsKey);
        p.check((cert == null) == (key == null), "--tls-cert and --tls-key go together; only one was given");
        p.throwIfAny();

        Path dataPath = f.dataPath.isEmpty() ? Path.of(".") : Path.of(f.dataPath);
        Problems engineProblems = new Problems();
        EngineUri engine = EngineFlags.engine(f, given, dataPath, engineProblems);
        engineProblems.throwIfAny();
        if (engine.scheme().equals("file")) {
            dataPath = EmbeddedEngineConfig.parse(engine).dataDir().orElseThrow();
        }
        ServerOptions defaults = ServerOptions.defaults();
        ServerOptions protocol = new ServerOptions(
                f.maxMsgSize,
                f.maxBodySize,
                f.maxRdyCount,
                f.msgTimeout,
                f.maxMsgTimeout,
                f.maxReqTimeout,
                half(f.clientTimeout),
                f.maxHeartbeatInterval,
                defaults.outputBufferSize(),
                f.outputBufferTimeout,
                f.minOutputBufferTimeout,
                f.maxOutputBufferTimeout,
                f.maxOutputBufferSize,
                f.maxDeflateLevel,
                f.deflate,
                f.snappy,
                defaults.version(),
                Clock.systemUTC());
        TlsFlags tls = new TlsFlags(
                cert, key, f.tlsRequired, f.tlsClientAuthPolicy, path(f.tlsRootCaFile), f.tlsMinVersion, https);
        return new ServerSettings(
                engine,
                dataPath,
                protocol,
                tcp,
                http,
                f.broadcastAddress == null || f.broadcastAddress.isEmpty() ? null : f.broadcastAddress,
                f.authHttpAddresses,
                f.httpClientConnectTimeout,
                f.httpClientRequestTimeout,
                tls,
                new LookupdFlags(lookupds, f.broadcastTcpPort, f.broadcastHttpPort),
                f.logLevel);
    }

    /**
     * Half of {@code d} (at least 2 ms here), as {@code d.dividedBy(2)} gives it, without the BigDecimal
     * arithmetic that costs a start several milliseconds of cold code.
     */
    static Duration half(Duration d) {
        long seconds = d.getSeconds();
        return Duration.ofSeconds(seconds / 2, (seconds % 2) * 500_000_000L + d.getNano() / 2);
    }

    /** A file flag's path; nsqd's files write an unset one as {@code ""}. */
    private static Path path(String text) {
        return text == null || text.isEmpty() ? null : Path.of(text);
    }

    /** The problems found so far, reported together. */
    static final class Problems {
        private final List<String> found = new ArrayList<>();

        void check(boolean ok, String problem) {
            if (!ok) {
                found.add(problem);
            }
        }

        /** The address, or null (and a problem) when it is not one. */
        HostPort address(String flag, String text) {
            try {
                return HostPort.parse(flag, text);
            } catch (IllegalArgumentException e) {
                found.add(e.getMessage());
                return null;
            }
        }

        /** No flag takes a negative number or duration. */
        void notNegative(ServerFlags f) {
            for (Field field : ServerFlags.class.getDeclaredFields()) {
                Option option = field.getAnnotation(Option.class);
                if (option == null) {
                    continue;
                }
                Object value;
                try {
                    value = field.get(f);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                boolean negative = value instanceof Number n && !(value instanceof Double) && n.longValue() < 0
                        || value instanceof Duration d && d.isNegative();
                check(
                        !negative,
                        option.names()[option.names().length - 1] + " must not be negative, got "
                                + (value instanceof Duration d ? GoDuration.format(d) : value));
            }
        }

        void throwIfAny() {
            if (!found.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", found));
            }
        }
    }
}
