package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.nsq.TlsSettings;
import dev.ferry.nsq.testing.TestCertificates;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS server context made on a thread of its own while the broker starts. */
class BackgroundSslContextTest {
    @TempDir
    Path dir;

    private TlsSettings settings(Path cert, Path key) {
        return new TlsSettings(
                cert,
                key,
                TlsSettings.Required.NO,
                TlsSettings.ClientAuthPolicy.NONE,
                null,
                TlsSettings.Version.TLS_1_2);
    }

    @Test
    void shouldMakeServerHandlersFromTheContextOnceItIsMade() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TestCertificates.selfSigned("/CN=127.0.0.1", key, cert, "subjectAltName=IP:127.0.0.1");
        TlsSettings tls = settings(cert, key);
        tls.checkFiles();

        BackgroundSslContext context = new BackgroundSslContext(tls);
        context.await();
        SslHandler handler = context.newHandler(ByteBufAllocator.DEFAULT);

        assertThat(context.isServer()).isTrue();
        assertThat(handler.engine().getUseClientMode()).isFalse();
        assertThat(handler.engine().getEnabledProtocols()).doesNotContain("TLSv1", "TLSv1.1");
        assertThat(context.cipherSuites()).isNotEmpty();
    }

    @Test
    void shouldRefuseFilesThatAreNotPemBeforeAnyContextIsMade() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(cert, "not a certificate\n");
        Files.writeString(key, "not a key\n");

        assertThatThrownBy(() -> settings(cert, key).checkFiles())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot use TLS certificate " + cert + " with key " + key);
    }
}
