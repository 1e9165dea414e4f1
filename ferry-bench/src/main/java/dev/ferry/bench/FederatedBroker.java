package dev.ferry.bench;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.FederationKey;
import dev.ferry.nsq.FederationSecret;
import dev.ferry.nsq.FederationSettings;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.nsq.TlsSettings;
import dev.ferry.spi.Engine;
import dev.ferry.support.EmbeddedEngines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The broker of {@link FederatedVsDirect}: an embedded engine over a directory, its NSQ TCP port, its
 * HTTP port accepting federation ({@code ws://}) and its HTTPS port ({@code wss://}) with a
 * self-signed certificate for 127.0.0.1 made with {@code openssl}, all on free loopback ports. One
 * federation secret, {@code bench}, may read and write every topic.
 */
final class FederatedBroker implements AutoCloseable {
    private static final FederationKey KEY = new FederationKey("bench", "bench-secret-0123456789abcdef");

    private final Engine engine;
    private final NsqTcpServer tcp;
    private final NsqTcpServer http;
    private final NsqTcpServer https;
    private final SSLContext trust;

    private FederatedBroker(Engine engine, NsqTcpServer tcp, NsqTcpServer http, NsqTcpServer https, SSLContext trust) {
        this.engine = engine;
        this.tcp = tcp;
        this.http = http;
        this.https = https;
        this.trust = trust;
    }

    /** Starts the broker over {@code dir}, keeping the certificate there too. */
    static FederatedBroker start(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server.key");
        selfSigned(cert, key);
        Engine engine = EmbeddedEngines.open(
                EmbeddedEngineConfig.file(dir.resolve("data")).build());
        NsqTcpServer.Builder servers = NsqTcpServer.builder(engine)
                .tls(TlsSettings.of(cert, key))
                .federation(FederationSettings.of(List.of(new FederationSecret(
                        KEY.name(), KEY.secret(), FederationSecret.Access.READ_WRITE, List.of("*")))));
        return new FederatedBroker(
                engine,
                servers.startTcp("127.0.0.1", 0),
                servers.startHttp("127.0.0.1", 0),
                servers.startHttps("127.0.0.1", 0),
                trusting(cert));
    }

    /** The client's options for {@code path}: {@code tcp}, {@code ws} or {@code wss}; 2 publishing connections. */
    ConnectOptions options(String path) {
        ConnectOptions.Builder b = switch (path) {
            case "tcp" -> ConnectOptions.nsqd("127.0.0.1:" + tcp.port());
            case "ws" ->
                ConnectOptions.nsqd("ws://127.0.0.1:" + http.port() + "/federate")
                        .security(s -> s.federationKey(KEY));
            case "wss" ->
                ConnectOptions.nsqd("wss://127.0.0.1:" + https.port() + "/federate")
                        .security(s -> s.federationKey(KEY).tls(trust));
            default -> throw new IllegalArgumentException("a path is tcp, ws or wss, got " + path);
        };
        return b.publishing(p -> p.connections(2)).build();
    }

    /** Creates {@code topic} with {@code channel}, so that what is published before a subscriber stays. */
    void createChannel(String topic, String channel) {
        engine.createChannel(topic, channel).toCompletableFuture().join();
    }

    /** Deletes {@code topic} and what it holds. */
    void deleteTopic(String topic) {
        engine.deleteTopic(topic).toCompletableFuture().join();
    }

    @Override
    public void close() {
        https.close();
        http.close();
        tcp.close();
        engine.close();
    }

    private static void selfSigned(Path cert, Path key) throws IOException, InterruptedException {
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:prime256v1",
                        "-nodes",
                        "-days",
                        "1",
                        "-subj",
                        "/CN=127.0.0.1",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(openssl.getInputStream().readAllBytes());
        if (openssl.waitFor() != 0) {
            throw new IOException("openssl could not make the benchmark's certificate: " + output);
        }
    }

    private static SSLContext trusting(Path cert) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            store.setCertificateEntry(
                    "bench", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
