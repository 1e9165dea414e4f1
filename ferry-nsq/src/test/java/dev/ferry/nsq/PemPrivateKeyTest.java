package dev.ferry.nsq;

import static dev.ferry.nsq.testing.TestCertificates.openssl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The private key forms nsqd reads (PKCS#8, PKCS#1 RSA, SEC 1 EC) are read to the same key, and a key
 * that cannot be used is named with the reason. The keys are made by openssl for each test.
 */
class PemPrivateKeyTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadAPkcs1RsaKeyAsItsPkcs8Form() throws Exception {
        Path pkcs1 = dir.resolve("rsa1.pem");
        Path pkcs8 = dir.resolve("rsa8.pem");
        openssl("genrsa", "-traditional", "-out", pkcs1.toString(), "2048");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", pkcs1.toString(), "-out", pkcs8.toString());
        assertThat(Files.readString(pkcs1)).contains("BEGIN RSA PRIVATE KEY");

        assertThat(PemPrivateKey.read(pkcs1).getEncoded())
                .isEqualTo(PemPrivateKey.read(pkcs8).getEncoded());
    }

    @Test
    void shouldReadASec1EcKeyAsItsPkcs8Form() throws Exception {
        Path sec1 = dir.resolve("ec1.pem");
        Path pkcs8 = dir.resolve("ec8.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", sec1.toString());
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", sec1.toString(), "-out", pkcs8.toString());
        assertThat(Files.readString(sec1)).contains("BEGIN EC PRIVATE KEY");

        // the encodings differ (openssl moves the curve out of the inner structure), the key does not
        ECPrivateKey fromSec1 = (ECPrivateKey) PemPrivateKey.read(sec1);
        ECPrivateKey fromPkcs8 = (ECPrivateKey) PemPrivateKey.read(pkcs8);
        assertThat(fromSec1.getS()).isEqualTo(fromPkcs8.getS());
        assertThat(fromSec1.getParams().toString())
                .isEqualTo(fromPkcs8.getParams().toString());
    }

    @Test
    void shouldMakeAServerContextFromAPkcs1Key() throws Exception {
        Path key = dir.resolve("server.key");
        Path cert = dir.resolve("server.pem");
        openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
        openssl(
                "req",
                "-x509",
                "-key",
                key.toString(),
                "-days",
                "30",
                "-subj",
                "/CN=127.0.0.1",
                "-out",
                cert.toString());

        assertThat(TlsSettings.of(cert, key).newServerContext().isServer()).isTrue();
    }

    @Test
    void shouldSayAnEncryptedKeyMustBeGivenUnencrypted() throws Exception {
        Path key = dir.resolve("secret.pem");
        openssl(
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-aes256",
                "-pass",
                "pass:hidden",
                "-out",
                key.toString());

        assertThatThrownBy(() -> PemPrivateKey.read(key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret.pem holds an encrypted private key");
    }

    @Test
    void shouldSayWhenAFileHoldsNoKey() throws Exception {
        Path notAKey = dir.resolve("cert-only.pem");
        Files.writeString(notAKey, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> PemPrivateKey.read(notAKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cert-only.pem holds no PEM private key");
    }
}
