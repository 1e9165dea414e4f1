package dev.ferry.nsq.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.busmq.BusQueue;
import dev.ferry.busmq.Duplex;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.FederationKey;
import dev.ferry.nsq.FederationSecret;
import dev.ferry.nsq.FederationSecret.Access;
import dev.ferry.nsq.FederationSettings;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.TlsSettings;
import dev.ferry.nsq.internal.federation.Challenge;
import dev.ferry.nsq.testing.FederatedSite;
import dev.ferry.nsq.testing.TestCertificates;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Federation between a client and a Ferry broker through a TCP proxy the test cuts and restores:
 * the challenge (wrong secret, replayed answer), the secrets' patterns, wss, pings, and a
 * subscription, a queue and a duplex that lose nothing acknowledged across a cut.
 */
class FederationTest {
    private static final String RW_SECRET = "rw-secret-0123456789";
    private static final String READ_SECRET = "read-secret-0123456789";
    private static final FederationSettings SETTINGS = FederationSettings.of(List.of(
                    new FederationSecret("site-b", RW_SECRET, Access.READ_WRITE, List.of("*")),
                    new FederationSecret("reader", READ_SECRET, Access.READ, List.of("orders.*"))))
            .withPingInterval(Duration.ofMillis(200));
    private static final FederationKey KEY = new FederationKey("site-b", RW_SECRET);

    @TempDir
    Path dir;

    private FederatedSite site;
    private final List<AutoCloseable> opened = new java.util.ArrayList<>();

    private FederatedSite site() {
        site = new FederatedSite(dir, Clock.systemUTC(), SETTINGS);
        return site;
    }

    private <T extends AutoCloseable> T opened(T c) {
        opened.add(c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        if (site != null) {
            site.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- the challenge and the secrets ------------------------------------------------------------

    @Test
    void shouldRefuseAWrongSecretWithUnauthorizedAndLogIt() {
        site();
        Bus bus = opened(site.connect(new FederationKey("site-b", "not-the-secret-at-all"), Clock.systemUTC()));
        assertThatThrownBy(() -> bus.publish("orders.new", bytes("x")))
                .hasMessageContaining("unauthorized")
                .hasMessageContaining("federation key \"site-b\"");
        assertThat(site.refusals())
                .anySatisfy(
                        line -> assertThat(line).contains("secret \"site-b\"").contains("wrong answer"));
        assertThat(topics()).noneMatch(t -> t.name().equals("orders.new"));
    }

    @Test
    void shouldRefuseASecretTheBrokerDoesNotHave() {
        site();
        Bus bus = opened(site.connect(new FederationKey("nobody", RW_SECRET), Clock.systemUTC()));
        assertThatThrownBy(() -> bus.publish("orders.new", bytes("x"))).hasMessageContaining("unauthorized");
        assertThat(site.refusals()).anySatisfy(line -> assertThat(line).contains("\"nobody\" names a secret"));
    }

    @Test
    void shouldRefuseAnAnswerReplayedOnAnotherConnection() throws Exception {
        site();
        // a peer's honest exchange, captured
        RawPeer first = opened(RawPeer.open(site.url()));
        byte[] nonce = first.challenge();
        String captured = answer("site-b", Challenge.answer(RW_SECRET, nonce, "/federate", "site-b"));
        first.send(captured);
        assertThat(first.next()).contains("\"ok\":true");
        // the captured answer on a new connection: that one has its own nonce
        RawPeer replay = opened(RawPeer.open(site.url()));
        assertThat(replay.challenge()).isNotEqualTo(nonce);
        replay.send(captured);
        assertThat(replay.next()).contains("\"error\":\"unauthorized\"");
        assertThat(replay.closeCode()).isEqualTo(1008);
        assertThat(site.refusals()).anySatisfy(line -> assertThat(line).contains("replayed"));
    }

    @Test
    void shouldGiveOneAnswerPerConnection() throws Exception {
        site();
        RawPeer peer = opened(RawPeer.open(site.url()));
        byte[] nonce = peer.challenge();
        peer.send(answer("site-b", new byte[32]));
        assertThat(peer.next()).contains("unauthorized");
        // the right answer after a wrong one comes too late: the nonce is spent and the link closed
        assertThat(peer.closeCode()).isEqualTo(1008);
        assertThat(Challenge.verify(RW_SECRET, nonce, "/federate", "site-b", new byte[32]))
                .isFalse();
    }

    @Test
    void shouldRefuseCommandsOutsideTheSecretsPatternsAndAccess() {
        site();
        Bus reader = opened(site.connect(new FederationKey("reader", READ_SECRET), Clock.systemUTC()));
        // read-only: no publish, even on its own topics
        assertThatThrownBy(() -> reader.publish("orders.new", bytes("x")))
                .hasMessageContaining("E_UNAUTHORIZED")
                .hasMessageContaining("PUB");
        // outside its patterns: the subscription is refused (and keeps being refused as it retries)
        Set<String> got = ConcurrentHashMap.newKeySet();
        opened(reader.subscribe("billing", "c", m -> got.add(new String(m.body(), StandardCharsets.UTF_8))));
        await().untilAsserted(() -> assertThat(site.refusals())
                .anySatisfy(line -> assertThat(line).contains("may not SUB on topic \"billing\"")));
        // inside them it reads what another site published
        Bus writer = opened(site.connect(KEY, Clock.systemUTC()));
        writer.publish("billing", bytes("secret invoice"));
        writer.publish("orders.new", bytes("order 1"));
        opened(reader.subscribe("orders.new", "c", m -> got.add(new String(m.body(), StandardCharsets.UTF_8))));
        await().until(() -> got.contains("order 1"));
        assertThat(got).doesNotContain("secret invoice");
        assertThat(site.refusals())
                .anySatisfy(line -> assertThat(line).contains("may not PUB on topic \"orders.new\""));
    }

    @Test
    void shouldStillServeTheHttpApiOnTheFederationPort() throws Exception {
        site();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> ping = http.send(
                    HttpRequest.newBuilder(URI.create("http://" + site.httpAddress() + "/ping"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ping.body()).isEqualTo("OK");
            HttpResponse<String> notUpgraded = http.send(
                    HttpRequest.newBuilder(URI.create("http://" + site.httpAddress() + "/federate"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(notUpgraded.statusCode()).isGreaterThanOrEqualTo(400);
        }
    }

    @Test
    void shouldGiveUpOnAWebSocketThatNeverChallenges() {
        // a WebSocket at /federate that upgrades and then says nothing, as a wrong service would
        io.netty.channel.EventLoopGroup group =
                new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
        opened(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        io.netty.channel.Channel silent = new io.netty.bootstrap.ServerBootstrap()
                .group(group)
                .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                .childHandler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
                    @Override
                    protected void initChannel(io.netty.channel.Channel ch) {
                        ch.pipeline()
                                .addLast(new io.netty.handler.codec.http.HttpServerCodec())
                                .addLast(new io.netty.handler.codec.http.HttpObjectAggregator(8192))
                                .addLast(new io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler(
                                        "/federate"));
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
        int port = ((java.net.InetSocketAddress) silent.localAddress()).getPort();
        Bus bus = opened(NsqBus.connect(ConnectOptions.nsqd("ws://127.0.0.1:" + port + "/federate")
                .security(s -> s.federationKey(KEY))
                .timeouts(t -> t.responseTimeout(Duration.ofSeconds(1)))
                .build()));
        assertThatThrownBy(() -> bus.publish("t", bytes("x")))
                .hasMessageContaining("did not send the federation challenge within 1000 ms");
    }

    @Test
    void shouldPingAnIdleLink() throws Exception {
        site();
        RawPeer peer = opened(RawPeer.open(site.url()));
        peer.send(answer("site-b", Challenge.answer(RW_SECRET, peer.challenge(), "/federate", "site-b")));
        assertThat(peer.next()).contains("\"ok\":true");
        // nothing sent either way: the broker pings every 200 ms of silence
        await().atMost(Duration.ofSeconds(5)).until(() -> peer.pings.get() >= 2);
    }

    @Test
    void shouldServeFederationOverWssWithTheTestCertificates(@TempDir Path certDir) throws Exception {
        TestCertificates certs = TestCertificates.create(certDir);
        site = new FederatedSite(
                dir, Clock.systemUTC(), SETTINGS, TlsSettings.of(certs.serverCert(), certs.serverKey()));
        assertThat(site.url()).startsWith("wss://");
        Bus bus = opened(site.connect(KEY, Clock.systemUTC(), trusting(certs.caCert()), b -> {}));
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        opened(bus.subscribe("secure", "c", m -> got.add(new String(m.body(), StandardCharsets.UTF_8))));
        bus.publish("secure", bytes("over wss"));
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("over wss");
        // a client that does not trust the test CA never gets to the challenge
        Bus untrusting = opened(site.connect(KEY, Clock.systemUTC(), SSLContext.getDefault(), b -> {}));
        assertThatThrownBy(() -> untrusting.publish("secure", bytes("x")))
                .hasMessageContaining(site.url())
                .hasMessageContaining("certification path");
    }

    @Test
    void shouldConnectWithBusConnectAndTheKeyInTheUrl() throws Exception {
        site();
        String url = site.url().replace("ws://", "ws://site-b:" + RW_SECRET + "@");
        Bus bus = opened(Bus.connect(url));
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        opened(bus.subscribe("plain", "c", m -> got.add(new String(m.body(), StandardCharsets.UTF_8))));
        bus.publish("plain", bytes("hello"));
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(bus.admin().topics()).anyMatch(t -> t.name().equals("plain"));
    }

    // ---- across a cut ----------------------------------------------------------------------------

    /** Runs {@code call} until it returns normally: what a cut left unanswered is sent again. */
    private static void retried(Runnable call) {
        await().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> {
                    call.run();
                    return true;
                });
    }

    /** Publishes until the broker said OK, retrying what a cut left unanswered. */
    private static void publishSurely(Bus bus, String topic, String body) {
        retried(() -> bus.publish(topic, bytes(body)));
    }

    @Test
    void shouldKeepASubscriptionAcrossACutLosingNothingAcknowledged() {
        site();
        Bus publisher = opened(site.connect(KEY, Clock.systemUTC()));
        Bus consumer = opened(site.connect(KEY, Clock.systemUTC()));
        Set<String> got = ConcurrentHashMap.newKeySet();
        opened(consumer.subscribe(
                "events",
                "c",
                m -> got.add(new String(m.body(), StandardCharsets.UTF_8)),
                SubscribeOptions.maxInFlight(5)));
        for (int i = 0; i < 100; i++) {
            publishSurely(publisher, "events", "e" + i);
        }
        await().until(() -> got.size() >= 30);
        site.proxy().cut();
        int acceptedAtCut = site.proxy().accepted();
        // while cut, publishes fail (the link is down) and are retried once it is back
        site.proxy().restore();
        for (int i = 100; i < 200; i++) {
            publishSurely(publisher, "events", "e" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> got.size() == 200);
        assertThat(site.proxy().accepted()).isGreaterThan(acceptedAtCut); // it did reconnect
        await().until(() -> backlog("events", "c") == 0);
    }

    @Test
    void shouldKeepAQueueAcrossACut() {
        site();
        Bus pusher = opened(site.connect(KEY, Clock.systemUTC()));
        Bus worker = opened(site.connect(KEY, Clock.systemUTC()));
        BusQueue in = opened(BusQueue.of(pusher, "jobs"));
        in.attach();
        BusQueue out = opened(BusQueue.of(worker, "jobs"));
        Set<String> got = ConcurrentHashMap.newKeySet();
        out.addListener(BusQueue.Listener.onMessage(got::add));
        out.attach();
        out.consume(new BusQueue.ConsumeOptions(true, 0, BusQueue.Delivery.AT_LEAST_ONCE));
        for (int i = 0; i < 50; i++) {
            String job = "job" + i;
            retried(() -> in.push(job));
        }
        await().until(() -> got.size() >= 10);
        site.proxy().cut();
        site.proxy().restore();
        for (int i = 50; i < 100; i++) {
            String job = "job" + i;
            retried(() -> in.push(job));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> got.size() == 100);
    }

    @Test
    void shouldKeepADuplexAcrossACut() throws Exception {
        site();
        // the server end is local to the broker's site (its own TCP port), the client end federated
        Bus local = opened(NsqBus.connect(ConnectOptions.nsqd(site.tcpAddress())
                .nsqdHttp(site.httpAddress())
                .build()));
        Bus remote = opened(site.connect(KEY, Clock.systemUTC()));
        Duplex.Options atLeastOnce =
                new Duplex.Options("local", "remote", BusQueue.Delivery.AT_LEAST_ONCE, Duration.ofSeconds(30));
        Duplex server = opened(Duplex.of(
                local,
                "link",
                new Duplex.Options("remote", "local", BusQueue.Delivery.AT_LEAST_ONCE, Duration.ofSeconds(30))));
        Duplex client = opened(Duplex.of(remote, "link", atLeastOnce));
        Set<String> atServer = ConcurrentHashMap.newKeySet();
        Set<String> atClient = ConcurrentHashMap.newKeySet();
        server.addListener(messages(atServer));
        client.addListener(messages(atClient));
        server.connect();
        client.connect();
        AtomicInteger sent = new AtomicInteger();
        for (int i = 0; i < 40; i++) {
            String m = "up" + i;
            retried(() -> client.send(m));
            sent.incrementAndGet();
            if (i == 20) {
                site.proxy().cut();
                site.proxy().restore();
            }
        }
        for (int i = 0; i < 40; i++) {
            server.send("down" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> atServer.size() == 40 && atClient.size() == 40);
    }

    private static Duplex.Listener messages(Set<String> into) {
        return new Duplex.Listener() {
            @Override
            public void message(String message) {
                into.add(message);
            }
        };
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private List<dev.ferry.TopicStats> topics() {
        return site.engine().stats().toCompletableFuture().join();
    }

    /** Ready and in-flight messages of a channel; -1 when there is no such channel. */
    private long backlog(String topic, String channel) {
        return topics().stream()
                .filter(t -> t.name().equals(topic))
                .flatMap(t -> t.channels().stream())
                .filter(c -> c.name().equals(channel))
                .mapToLong(c -> c.depth() + c.inFlight())
                .findFirst()
                .orElse(-1);
    }

    private static String answer(String name, byte[] mac) {
        return "{\"secret\":\"" + name + "\",\"answer\":\""
                + Base64.getEncoder().encodeToString(mac) + "\"}";
    }

    private static SSLContext trusting(Path caCert) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            store.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** A WebSocket peer speaking the challenge by hand, with the JDK's client. */
    private static final class RawPeer implements WebSocket.Listener, AutoCloseable {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final AtomicInteger pings = new AtomicInteger();
        final HttpClient http = HttpClient.newHttpClient();
        WebSocket socket;

        static RawPeer open(String url) {
            RawPeer peer = new RawPeer();
            peer.socket = peer.http
                    .newWebSocketBuilder()
                    .buildAsync(URI.create(url), peer)
                    .join();
            return peer;
        }

        byte[] challenge() throws InterruptedException {
            String text = next();
            assertThat(text).contains("\"protocol\":\"ferry-federate/1\"");
            String b64 = text.replaceAll(".*\"challenge\":\"([^\"]+)\".*", "$1");
            return Base64.getDecoder().decode(b64);
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        String next() throws InterruptedException {
            String text = texts.poll(10, TimeUnit.SECONDS);
            assertThat(text).as("a text frame from the broker").isNotNull();
            return text;
        }

        int closeCode() {
            return closed.orTimeout(10, TimeUnit.SECONDS).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            texts.add(data.toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.incrementAndGet();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        @Override
        public void close() {
            socket.abort();
            http.close();
        }
    }
}
