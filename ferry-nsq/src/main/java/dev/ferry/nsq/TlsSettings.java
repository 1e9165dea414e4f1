package dev.ferry.nsq;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How the broker offers TLS, after nsqd's {@code --tls-*} flags: the certificate and key it
 * presents, whether clients must use TLS, whether they must present a certificate, and the oldest
 * protocol version accepted. One context made from these serves the TCP protocol (after
 * {@code IDENTIFY} with {@code tls_v1}) and the HTTPS listener alike, as in nsqd.
 *
 * <p>As in nsqd, choosing a client certificate policy other than {@link ClientAuthPolicy#NONE}
 * makes TLS required ({@link Required#YES}) unless another requirement was chosen: a certificate
 * can only be asked for over TLS.
 *
 * @param certFile PEM certificate chain the broker presents ({@code --tls-cert})
 * @param keyFile PEM private key of {@code certFile}, unencrypted, in PKCS#8, PKCS#1 (RSA) or SEC 1 (EC)
 *     form, as nsqd reads it ({@code --tls-key})
 * @param required whether clients must use TLS ({@code --tls-required})
 * @param clientAuthPolicy whether clients must present a certificate ({@code
 *     --tls-client-auth-policy})
 * @param rootCaFile PEM certificates of the authorities that sign client certificates, for {@link
 *     ClientAuthPolicy#REQUIRE_VERIFY}; null: the JDK's trusted authorities ({@code
 *     --tls-root-ca-file})
 * @param minVersion the oldest TLS version accepted ({@code --tls-min-version}); the JDK refuses
 *     TLS 1.0 and 1.1 unless its {@code jdk.tls.disabledAlgorithms} security property allows them
 */
public record TlsSettings(
        Path certFile,
        Path keyFile,
        Required required,
        ClientAuthPolicy clientAuthPolicy,
        Path rootCaFile,
        Version minVersion) {

    /** Checks that nothing but {@code rootCaFile} is missing, and applies nsqd's policy rule. */
    public TlsSettings {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(required, "required");
        Objects.requireNonNull(clientAuthPolicy, "clientAuthPolicy");
        Objects.requireNonNull(minVersion, "minVersion");
        if (clientAuthPolicy != ClientAuthPolicy.NONE && required == Required.NO) {
            required = Required.YES;
        }
    }

    /** TLS offered with this certificate and key, not required, no client certificates, TLS 1.0 up (nsqd's defaults). */
    public static TlsSettings of(Path certFile, Path keyFile) {
        return new TlsSettings(certFile, keyFile, Required.NO, ClientAuthPolicy.NONE, null, Version.TLS_1_0);
    }

    /** A copy with another requirement. */
    public TlsSettings withRequired(Required value) {
        return new TlsSettings(certFile, keyFile, value, clientAuthPolicy, rootCaFile, minVersion);
    }

    /** A copy with another client certificate policy. */
    public TlsSettings withClientAuthPolicy(ClientAuthPolicy value) {
        return new TlsSettings(certFile, keyFile, required, value, rootCaFile, minVersion);
    }

    /** A copy with another root CA file (null: the JDK's trusted authorities). */
    public TlsSettings withRootCaFile(Path value) {
        return new TlsSettings(certFile, keyFile, required, clientAuthPolicy, value, minVersion);
    }

    /** A copy with another oldest version. */
    public TlsSettings withMinVersion(Version value) {
        return new TlsSettings(certFile, keyFile, required, clientAuthPolicy, rootCaFile, value);
    }

    /** Whether clients must use TLS: {@code --tls-required}. */
    public enum Required {
        /** {@code false}: TLS is offered to the clients that ask for it. */
        NO,
        /**
         * {@code tcp-https}: a TCP client must upgrade to TLS before any command but {@code
         * IDENTIFY}; the plain HTTP listener still serves.
         */
        TCP_HTTPS,
        /**
         * {@code true}: as {@link #TCP_HTTPS}, and the plain HTTP listener answers every request with
         * 403 {@code TLS_REQUIRED} and the HTTPS port.
         */
        YES;

        /**
         * Parses nsqd's values, case-insensitive: {@code tcp-https}, or a Go boolean ({@code true},
         * {@code t}, {@code 1}, {@code false}, {@code f}, {@code 0}).
         *
         * @throws IllegalArgumentException naming the value when it is none of these
         */
        public static Required parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "tcp-https" -> TCP_HTTPS;
                case "true", "t", "1" -> YES;
                case "false", "f", "0" -> NO;
                default ->
                    throw new IllegalArgumentException(
                            "TLS requirement must be true, false or tcp-https, got \"" + text + "\"");
            };
        }
    }

    /** Whether clients must present a certificate: {@code --tls-client-auth-policy}. */
    public enum ClientAuthPolicy {
        /** (empty) No certificate is asked for. */
        NONE,
        /**
         * {@code require}: a client must present a certificate (and prove it holds its key), which is
         * not checked against any authority; its subject's common name goes to the auth service.
         */
        REQUIRE,
        /**
         * {@code require-verify}: as {@link #REQUIRE}, and the certificate must be signed by an
         * authority of the root CA file (or, without one, by one the JDK trusts).
         */
        REQUIRE_VERIFY;

        /**
         * Parses nsqd's values: empty, {@code require} or {@code require-verify}.
         *
         * @throws IllegalArgumentException naming the value when it is none of these (nsqd takes any
         *     other value as "no certificate", but still requires TLS)
         */
        public static ClientAuthPolicy parse(String text) {
            return switch (text) {
                case "" -> NONE;
                case "require" -> REQUIRE;
                case "require-verify" -> REQUIRE_VERIFY;
                default ->
                    throw new IllegalArgumentException(
                            "client certificate policy must be require or require-verify, got \"" + text + "\"");
            };
        }
    }

    /** A TLS protocol version, as {@code --tls-min-version} names it. */
    public enum Version {
        /** {@code tls1.0} (nsqd's default; the JDK disables it unless told otherwise). */
        TLS_1_0("tls1.0", "TLSv1"),
        /** {@code tls1.1} (the JDK disables it unless told otherwise). */
        TLS_1_1("tls1.1", "TLSv1.1"),
        /** {@code tls1.2}. */
        TLS_1_2("tls1.2", "TLSv1.2"),
        /** {@code tls1.3}. */
        TLS_1_3("tls1.3", "TLSv1.3");

        private final String flagValue;
        private final String protocol;

        Version(String flagValue, String protocol) {
            this.flagValue = flagValue;
            this.protocol = protocol;
        }

        /** The JSSE protocol name, e.g. {@code TLSv1.2}. */
        public String protocol() {
            return protocol;
        }

        /**
         * Parses nsqd's values, case-insensitive: {@code tls1.0}, {@code tls1.1}, {@code tls1.2},
         * {@code tls1.3}.
         *
         * @throws IllegalArgumentException naming the value when it is none of these
         */
        public static Version parse(String text) {
            for (Version v : values()) {
                if (v.flagValue.equals(text.toLowerCase(Locale.ROOT))) {
                    return v;
                }
            }
            throw new IllegalArgumentException(
                    "TLS version must be tls1.0, tls1.1, tls1.2 or tls1.3, got \"" + text + "\"");
        }

        @Override
        public String toString() {
            return flagValue;
        }
    }

    /**
     * Reads the files and makes a server context: the certificate and key, the client certificate
     * policy, and the protocols from {@link #minVersion()} up. {@link NsqTcpServer.Builder#tls} calls
     * it; call it yourself to check the files before anything starts.
     *
     * @throws IllegalArgumentException naming the files when one cannot be read or used
     */
    public SslContext newServerContext() {
        checkReadable();
        List<String> protocols = new ArrayList<>();
        for (Version v : Version.values()) {
            if (v.compareTo(minVersion) >= 0) {
                protocols.add(v.protocol());
            }
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(PemPrivateKey.read(keyFile), certificates(certFile))
                    .protocols(protocols);
            switch (clientAuthPolicy) {
                case NONE -> builder.clientAuth(ClientAuth.NONE);
                // as nsqd: any certificate will do, its holder only has to prove it holds the key
                case REQUIRE ->
                    builder.clientAuth(ClientAuth.REQUIRE).trustManager(InsecureTrustManagerFactory.INSTANCE);
                case REQUIRE_VERIFY -> {
                    builder.clientAuth(ClientAuth.REQUIRE);
                    if (rootCaFile != null) {
                        builder.trustManager(rootCaFile.toFile());
                    }
                }
            }
            return builder.build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw unusable(e);
        }
    }

    /**
     * Reads and parses the files as {@link #newServerContext()} does, without making the context:
     * making it initialises the JDK's TLS implementation, which costs far more CPU than the files. A
     * server that wants to start quickly checks the files with this before anything opens and makes
     * the context on another thread meanwhile.
     *
     * @throws IllegalArgumentException naming the files when one cannot be read or parsed, in the
     *     words of {@link #newServerContext()}
     */
    public void checkFiles() {
        checkReadable();
        try {
            PemPrivateKey.read(keyFile);
            certificates(certFile);
            if (rootCaFile != null && clientAuthPolicy == ClientAuthPolicy.REQUIRE_VERIFY) {
                certificates(rootCaFile);
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw unusable(e);
        }
    }

    private void checkReadable() {
        for (Path file : rootCaFile == null ? List.of(certFile, keyFile) : List.of(certFile, keyFile, rootCaFile)) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file);
            }
        }
    }

    private IllegalArgumentException unusable(Exception e) {
        return new IllegalArgumentException(
                "cannot use TLS certificate " + certFile + " with key " + keyFile
                        + (rootCaFile == null ? "" : " and root CA file " + rootCaFile) + ": " + e.getMessage(),
                e);
    }

    /** The certificates of a PEM file, in its order. */
    private static X509Certificate[] certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            X509Certificate[] chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast)
                    .toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new IllegalArgumentException(file + " holds no PEM certificate");
            }
            return chain;
        }
    }
}
