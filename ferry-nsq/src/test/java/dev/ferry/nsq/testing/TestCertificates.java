package dev.ferry.nsq.testing;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Certificates made with {@code openssl} for the TLS tests: a certificate authority, a server
 * certificate for 127.0.0.1 and a client certificate (CN {@code alice}) that it signed, and a
 * self-signed client certificate (CN {@code mallory}) that no authority vouches for. EC keys, so
 * making them takes a few milliseconds. {@link #selfSigned} makes a single self-signed one, for a test
 * that needs only a server certificate.
 *
 * @param caCert the authority's certificate
 * @param serverCert the server's certificate, signed by the authority
 * @param serverKey its key
 * @param clientCert alice's certificate, signed by the authority
 * @param clientKey its key
 * @param rogueCert mallory's self-signed certificate
 * @param rogueKey its key
 */
public record TestCertificates(
        Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey, Path rogueCert, Path rogueKey) {

    /** Makes the certificates in {@code dir}. */
    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        TestCertificates c = new TestCertificates(
                dir.resolve("ca.pem"),
                dir.resolve("server.pem"),
                dir.resolve("server.key"),
                dir.resolve("alice.pem"),
                dir.resolve("alice.key"),
                dir.resolve("mallory.pem"),
                dir.resolve("mallory.key"));
        Path caKey = dir.resolve("ca.key");
        selfSigned(
                "/CN=Ferry Test CA",
                caKey,
                c.caCert(),
                "basicConstraints=critical,CA:TRUE",
                "keyUsage=critical,keyCertSign,cRLSign");
        Path serverExt = dir.resolve("server.ext");
        Files.writeString(serverExt, "subjectAltName=IP:127.0.0.1\n");
        signed("/CN=127.0.0.1", c.serverKey(), c.serverCert(), c.caCert(), caKey, serverExt, 1);
        signed("/CN=alice", c.clientKey(), c.clientCert(), c.caCert(), caKey, null, 2);
        selfSigned("/CN=mallory", c.rogueKey(), c.rogueCert());
        return c;
    }

    /**
     * Makes a self-signed certificate with an EC key (P-256), valid 30 days, with openssl.
     *
     * @param subject the subject, as openssl's {@code -subj} takes it: {@code /CN=127.0.0.1}
     * @param key where to write the private key (PKCS#8 PEM)
     * @param cert where to write the certificate (PEM)
     * @param extensions X.509 extensions, as openssl's {@code -addext} takes them:
     *     {@code subjectAltName=IP:127.0.0.1}
     * @throws IllegalStateException when openssl fails, with its output
     */
    public static void selfSigned(String subject, Path key, Path cert, String... extensions)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "30",
                "-subj",
                subject,
                "-keyout",
                key.toString(),
                "-out",
                cert.toString()));
        for (String e : extensions) {
            command.add("-addext");
            command.add(e);
        }
        openssl(command);
    }

    private static void signed(String subject, Path key, Path cert, Path caCert, Path caKey, Path ext, int serial)
            throws IOException, InterruptedException {
        Path csr = Path.of(cert + ".csr");
        openssl(List.of(
                "openssl",
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-subj",
                subject,
                "-keyout",
                key.toString(),
                "-out",
                csr.toString()));
        List<String> command = new ArrayList<>(List.of(
                "openssl",
                "x509",
                "-req",
                "-in",
                csr.toString(),
                "-CA",
                caCert.toString(),
                "-CAkey",
                caKey.toString(),
                "-set_serial",
                String.valueOf(serial),
                "-days",
                "30",
                "-out",
                cert.toString()));
        if (ext != null) {
            command.add("-extfile");
            command.add(ext.toString());
        }
        openssl(command);
    }

    /**
     * Runs openssl with {@code args} ({@code "genrsa", "-traditional", ...}).
     *
     * @throws IllegalStateException when openssl fails, with its output
     */
    public static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        openssl(command);
    }

    private static void openssl(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " failed:\n" + output);
        }
    }

    /**
     * A client context that trusts any server and presents {@code cert} with {@code key} (both null:
     * no certificate) whichever authorities the server names, so that the server's own check is
     * what a test sees.
     */
    public static SSLContext clientContext(Path cert, Path key) throws GeneralSecurityException, IOException {
        KeyManager[] keyManagers = cert == null ? null : new KeyManager[] {presenting(cert, key)};
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        return context;
    }

    private static X509ExtendedKeyManager presenting(Path cert, Path key) throws GeneralSecurityException, IOException {
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(cert)) {
            certificate =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey privateKey = KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        return new X509ExtendedKeyManager() {
            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return "client";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return "client";
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return new X509Certificate[] {certificate};
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return privateKey;
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"client"};
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }
        };
    }
}
