package dev.ferry.nsq.internal.client;

import static dev.ferry.nsq.internal.client.NsqClientBusTest.text;
import static dev.ferry.nsq.internal.client.NsqClientBusTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.nsq.CompressionOptions;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.SecurityOptions;
import dev.ferry.nsq.TlsSettings;
import dev.ferry.nsq.testing.TestAuthService;
import dev.ferry.nsq.testing.TestCertificates;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Feature negotiation over real sockets: TLS, snappy, deflate, and AUTH against an auth service. */
class ClientFeaturesTest {
    @TempDir
    Path dir;

    /** A server TLS context from a self-signed certificate made with openssl. */
    private TlsSettings serverTls() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TestCertificates.selfSigned("/CN=127.0.0.1", key, cert);
        return TlsSettings.of(cert, key);
    }

    /** A client context that trusts any certificate (the test's own, self-signed). */
    private static SSLContext trustingTls() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        return context;
    }

    private static void roundTrip(ConnectOptions options, String topic) {
        Queue<String> got = new ConcurrentLinkedQueue<>();
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(utf8("message " + i + " " + "x".repeat(i * 10)));
        }
        try (Bus bus = NsqBus.connect(options)) {
            bus.subscribe(topic, "c", m -> got.add(text(m)), SubscribeOptions.maxInFlight(50));
            bus.publish(topic, batch);
            bus.publish(topic, utf8("single"));
            await().until(() -> got.size() == 101);
        }
        assertThat(got).contains("single", "message 99 " + "x".repeat(990));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "snappy", "deflate", "tls+snappy", "tls+deflate"})
    void shouldCarryMessagesOverTheNegotiatedFeatures(String features) throws Exception {
        boolean tls = features.contains("tls");
        try (TestBroker broker = new TestBroker(dir.resolve("data"), tls ? serverTls() : null, null)) {
            ConnectOptions.Builder options = ConnectOptions.nsqd(broker.tcpAddress());
            if (tls) {
                SSLContext context = trustingTls();
                options.security(s -> s.tls(context));
            }
            if (features.contains("snappy")) {
                options.compression(CompressionOptions.snappy());
            }
            if (features.contains("deflate")) {
                options.compression(CompressionOptions.deflate(3));
            }
            roundTrip(options.build(), "features");
        }
    }

    @Test
    void shouldRefuseToGoOnPlainWhenTlsWasAskedAndNotOffered() throws Exception {
        try (TestBroker broker = new TestBroker(dir.resolve("data"));
                Bus bus = NsqBus.connect(ConnectOptions.nsqd(broker.tcpAddress())
                        .security(SecurityOptions.builder().tls(trustingTls()).build())
                        .build())) {
            assertThatThrownBy(() -> bus.publish("t", utf8("x"))).hasMessageContaining("does not offer TLS");
        }
    }

    @Test
    void shouldAuthenticateWithTheSecretWhenTheBrokerRequiresIt() throws Exception {
        try (TestAuthService authService = TestAuthService.start(
                        Map.of(
                                "s3cret",
                                "{\"ttl\":3600,\"identity\":\"java\",\"authorizations\":[{\"topic\":\"^secured$\","
                                        + "\"channels\":[\".*\"],\"permissions\":[\"subscribe\",\"publish\"]}]}"),
                        "{\"message\":\"NOT_AUTHORIZED\"}");
                TestBroker broker = new TestBroker(dir.resolve("data"), null, authService.client())) {
            roundTrip(
                    ConnectOptions.nsqd(broker.tcpAddress())
                            .security(s -> s.authSecret("s3cret"))
                            .build(),
                    "secured");
            try (Bus bus =
                    NsqBus.connect(ConnectOptions.nsqd(broker.tcpAddress()).build())) {
                assertThatThrownBy(() -> bus.publish("secured", utf8("x"))).hasMessageContaining("requires AUTH");
            }
            try (Bus bus = NsqBus.connect(ConnectOptions.nsqd(broker.tcpAddress())
                    .security(s -> s.authSecret("wrong"))
                    .build())) {
                assertThatThrownBy(() -> bus.publish("secured", utf8("x"))).hasMessageContaining("E_AUTH");
            }
        }
    }
}
