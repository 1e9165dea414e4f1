package dev.ferry.nsq.internal.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ChannelStats;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.Frame;
import dev.ferry.nsq.internal.server.EmbeddedClient.Got;
import dev.ferry.nsq.testing.TestCertificates;
import dev.ferry.testing.MutableClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protocol V2 handler against an in-memory engine, without sockets. */
class V2ConnectionTest {
    private final MutableClock clock = MutableClock.start();
    private final LocalEngine engine =
            LocalEngine.open(EmbeddedEngineConfig.memory().build(), clock);
    private final ServerOptions options = ServerOptions.defaults().withClock(clock);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @TempDir
    static Path certDir;

    private static SslContext serverTls;

    @BeforeAll
    static void makeCertificates() throws Exception {
        TestCertificates certs = TestCertificates.create(certDir);
        serverTls = SslContextBuilder.forServer(
                        certs.serverCert().toFile(), certs.serverKey().toFile())
                .build();
    }

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        engine.close();
    }

    private EmbeddedChannel connect() {
        return connect(options);
    }

    private EmbeddedChannel connect(ServerOptions with) {
        EmbeddedChannel ch = new EmbeddedChannel(new V2ChannelInitializer(engine, with));
        channels.add(ch);
        ch.writeInbound(Unpooled.copiedBuffer("  V2", StandardCharsets.US_ASCII));
        return ch;
    }

    /** A connection to a server that offers TLS and requires it. */
    private EmbeddedChannel connectRequiringTls() {
        EmbeddedChannel ch = new EmbeddedChannel(
                new V2ChannelInitializer(engine, options, serverTls, true, null, new ClientRegistry()));
        channels.add(ch);
        ch.writeInbound(Unpooled.copiedBuffer("  V2", StandardCharsets.US_ASCII));
        return ch;
    }

    private static void send(EmbeddedChannel ch, String line) {
        ch.writeInbound(Unpooled.copiedBuffer(line, StandardCharsets.UTF_8));
    }

    private static void send(EmbeddedChannel ch, String line, byte[] body) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeCharSequence(line, StandardCharsets.UTF_8);
        buf.writeInt(body.length);
        buf.writeBytes(body);
        ch.writeInbound(buf);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<Got> frames(EmbeddedChannel ch) {
        channels.forEach(EmbeddedChannel::runPendingTasks);
        return EmbeddedClient.readFrames(ch);
    }

    private List<String> texts(EmbeddedChannel ch) {
        return frames(ch).stream().map(Got::text).toList();
    }

    @Test
    void shouldAnswerIdentifyWithNsqdsFeatureNegotiationResponse() throws Exception {
        EmbeddedChannel ch = connect();
        send(ch, "IDENTIFY\n", utf8("{\"feature_negotiation\":true,\"client_id\":\"c1\",\"msg_timeout\":5000}"));
        List<Got> got = frames(ch);
        assertThat(got).hasSize(1);
        JsonNode json = new ObjectMapper().readTree(got.get(0).text());
        assertThat(json.get("max_rdy_count").asInt()).isEqualTo(2500);
        assertThat(json.get("version").asText()).isEqualTo("1.3.0");
        assertThat(json.get("max_msg_timeout").asLong()).isEqualTo(900000);
        assertThat(json.get("msg_timeout").asLong()).isEqualTo(5000);
        assertThat(json.get("output_buffer_size").asInt()).isEqualTo(16384);
        assertThat(json.get("output_buffer_timeout").asLong()).isEqualTo(250);
        assertThat(json.get("tls_v1").asBoolean()).isFalse();
        assertThat(json.get("auth_required").asBoolean()).isFalse();
    }

    @Test
    void shouldAnswerOkToIdentifyWithoutFeatureNegotiationAndRefuseBadValues() {
        EmbeddedChannel ch = connect();
        send(ch, "IDENTIFY\n", utf8("{\"client_id\":\"c1\"}"));
        assertThat(texts(ch)).containsExactly("OK");
        EmbeddedChannel bad = connect();
        send(bad, "IDENTIFY\n", utf8("{\"heartbeat_interval\":500}"));
        assertThat(texts(bad)).containsExactly("E_BAD_BODY IDENTIFY heartbeat interval (500) is invalid");
        assertThat(bad.isActive()).isFalse();
        EmbeddedChannel broken = connect();
        send(broken, "IDENTIFY\n", utf8("{not json"));
        assertThat(texts(broken)).containsExactly("E_BAD_BODY IDENTIFY failed to decode JSON body");
    }

    /** The defaults with deflate and snappy offered or not, as --deflate and --snappy set them. */
    private ServerOptions compression(boolean deflate, boolean snappy) {
        ServerOptions o = options;
        return new ServerOptions(
                o.maxMsgSize(),
                o.maxBodySize(),
                o.maxRdyCount(),
                o.msgTimeout(),
                o.maxMsgTimeout(),
                o.maxReqTimeout(),
                o.heartbeatInterval(),
                o.maxHeartbeatInterval(),
                o.outputBufferSize(),
                o.outputBufferTimeout(),
                o.minOutputBufferTimeout(),
                o.maxOutputBufferTimeout(),
                o.maxOutputBufferSize(),
                o.maxDeflateLevel(),
                deflate,
                snappy,
                o.version(),
                o.clock());
    }

    private static JsonNode identifyAnswer(List<Got> got) throws Exception {
        assertThat(got).isNotEmpty();
        return new ObjectMapper().readTree(got.get(0).text());
    }

    /** The IDENTIFY answer alone: what follows it went through a compressor and is not plain frames. */
    private static JsonNode identifyAnswerBeforeUpgrade(EmbeddedChannel ch) throws Exception {
        ByteBuf buf = ch.readOutbound();
        try {
            int size = buf.readInt();
            assertThat(buf.readInt()).isEqualTo(Frame.TYPE_RESPONSE);
            return new ObjectMapper()
                    .readTree(buf.readCharSequence(size - 4, StandardCharsets.UTF_8)
                            .toString());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldUpgradeToSnappyOrDeflateWhenOfferedAndAsked() throws Exception {
        EmbeddedChannel snappy = connect();
        send(snappy, "IDENTIFY\n", utf8("{\"feature_negotiation\":true,\"snappy\":true}"));
        assertThat(identifyAnswerBeforeUpgrade(snappy).get("snappy").asBoolean())
                .isTrue();
        assertThat(snappy.pipeline().get("snappy-encoder")).isNotNull();

        EmbeddedChannel deflate = connect();
        send(deflate, "IDENTIFY\n", utf8("{\"feature_negotiation\":true,\"deflate\":true,\"deflate_level\":3}"));
        JsonNode answer = identifyAnswerBeforeUpgrade(deflate);
        assertThat(answer.get("deflate").asBoolean()).isTrue();
        assertThat(answer.get("deflate_level").asInt()).isEqualTo(3);
        assertThat(deflate.pipeline().get("deflate-encoder")).isNotNull();
    }

    @Test
    void shouldClampADeflateLevelBeyond32BitsAndTakeNullAsZeroAsNsqdDoes() throws Exception {
        EmbeddedChannel deflate = connect();
        send(
                deflate,
                "IDENTIFY\n",
                utf8("{\"feature_negotiation\":true,\"deflate\":true,\"deflate_level\":1000000000000,"
                        + "\"heartbeat_interval\":null}"));
        JsonNode answer = identifyAnswerBeforeUpgrade(deflate);
        assertThat(answer.get("deflate").asBoolean()).isTrue();
        assertThat(answer.get("deflate_level").asInt()).isEqualTo(6);
        assertThat(deflate.isActive()).isTrue();
    }

    @Test
    void shouldAnswerFalseAndStayPlainWhenSnappyOrDeflateIsDisabled() throws Exception {
        ServerOptions neither = compression(false, false);
        EmbeddedChannel snappy = connect(neither);
        send(snappy, "IDENTIFY\n", utf8("{\"feature_negotiation\":true,\"snappy\":true}"));
        List<Got> got = frames(snappy);
        assertThat(got).hasSize(1); // no OK after an upgrade: there is none
        assertThat(identifyAnswer(got).get("snappy").asBoolean()).isFalse();
        assertThat(snappy.pipeline().get("snappy-encoder")).isNull();
        send(snappy, "PUB plain\n", utf8("still readable"));
        assertThat(texts(snappy)).containsExactly("OK");

        EmbeddedChannel deflate = connect(neither);
        send(deflate, "IDENTIFY\n", utf8("{\"feature_negotiation\":true,\"deflate\":true,\"deflate_level\":3}"));
        got = frames(deflate);
        assertThat(got).hasSize(1);
        JsonNode answer = identifyAnswer(got);
        assertThat(answer.get("deflate").asBoolean()).isFalse();
        assertThat(answer.get("deflate_level").asInt()).isEqualTo(6);
        assertThat(answer.get("max_deflate_level").asInt()).isEqualTo(6);
        assertThat(deflate.pipeline().get("deflate-encoder")).isNull();
        assertThat(deflate.isActive()).isTrue();
    }

    @Test
    void shouldRefuseBothCompressionsOnlyWhenBothWouldBeNegotiated() throws Exception {
        String both = "{\"feature_negotiation\":true,\"snappy\":true,\"deflate\":true}";
        EmbeddedChannel offered = connect();
        send(offered, "IDENTIFY\n", utf8(both));
        assertThat(texts(offered))
                .containsExactly("E_IDENTIFY_FAILED cannot enable both deflate and snappy compression");
        assertThat(offered.isActive()).isFalse();

        // as nsqd: with deflate off, asking for both gets snappy alone
        EmbeddedChannel snappyOnly = connect(compression(false, true));
        send(snappyOnly, "IDENTIFY\n", utf8(both));
        JsonNode answer = identifyAnswerBeforeUpgrade(snappyOnly);
        assertThat(answer.get("snappy").asBoolean()).isTrue();
        assertThat(answer.get("deflate").asBoolean()).isFalse();

        // and without feature negotiation nothing is negotiated, so nothing conflicts
        EmbeddedChannel plain = connect();
        send(plain, "IDENTIFY\n", utf8("{\"snappy\":true,\"deflate\":true}"));
        assertThat(texts(plain)).containsExactly("OK");
    }

    @Test
    void shouldPublishAndDeliverWithRdyAsACapOnMessagesInFlight() {
        EmbeddedChannel producer = connect();
        for (String body : List.of("a", "b", "c")) {
            send(producer, "PUB orders\n", utf8(body));
        }
        assertThat(texts(producer)).containsExactly("OK", "OK", "OK");

        EmbeddedChannel consumer = connect();
        send(consumer, "SUB orders billing\n");
        assertThat(texts(consumer)).containsExactly("OK");
        send(consumer, "RDY 2\n");
        List<Got> first = frames(consumer);
        assertThat(first).extracting(Got::text).containsExactly("a", "b");
        assertThat(first).allSatisfy(g -> {
            assertThat(g.type()).isEqualTo(Frame.TYPE_MESSAGE);
            assertThat(g.attempts()).isEqualTo(1);
            assertThat(g.id()).matches("[0-9a-f]{16}");
            assertThat(g.timestamp()).isEqualTo(clock.millis() * 1_000_000);
        });
        assertThat(frames(consumer)).isEmpty();
        send(consumer, "FIN " + first.get(0).id() + "\n");
        assertThat(frames(consumer)).extracting(Got::text).containsExactly("c");
    }

    @Test
    void shouldRedeliverARequeuedMessageWithAttemptsIncremented() {
        EmbeddedChannel consumer = connect();
        send(consumer, "SUB t c\n");
        send(consumer, "RDY 1\n");
        assertThat(texts(consumer)).containsExactly("OK");
        EmbeddedChannel producer = connect();
        send(producer, "PUB t\n", utf8("x"));
        Got first = frames(consumer).get(0);
        send(consumer, "REQ " + first.id() + " 0\n");
        Got again = frames(consumer).get(0);
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.attempts()).isEqualTo(2);
    }

    @Test
    void shouldPublishBatchesAndDeferredMessages() {
        EmbeddedChannel producer = connect();
        ByteBuf body = Unpooled.buffer()
                .writeInt(2)
                .writeInt(1)
                .writeByte('a')
                .writeInt(1)
                .writeByte('b');
        byte[] mpub = new byte[body.readableBytes()];
        body.readBytes(mpub);
        body.release();
        send(producer, "MPUB t\n", mpub);
        send(producer, "DPUB t 5000\n", utf8("later"));
        assertThat(texts(producer)).containsExactly("OK", "OK");
        done(engine.createChannel("t", "c"));
        assertThat(done(engine.stats("t")).orElseThrow().channels().get(0).depth())
                .isEqualTo(2);
        assertThat(done(engine.stats("t")).orElseThrow().channels().get(0).deferred())
                .isEqualTo(1);
    }

    @Test
    void shouldAnswerFinOfAnUnknownIdWithANonFatalError() {
        EmbeddedChannel consumer = connect();
        send(consumer, "SUB t c\n");
        send(consumer, "FIN 0123456789abcdef\n");
        send(consumer, "NOP\n");
        assertThat(texts(consumer)).containsExactly("OK", "E_FIN_FAILED FIN 0123456789abcdef failed ID not in flight");
        assertThat(consumer.isActive()).isTrue();
        send(consumer, "FIN short\n");
        assertThat(texts(consumer)).containsExactly("E_INVALID invalid message ID");
        assertThat(consumer.isActive()).isFalse();
    }

    @Test
    void shouldFinishEveryFinOfOneReadAndAnswerOnlyTheUnknownOneInItsPlace() {
        EmbeddedChannel producer = connect();
        for (String body : List.of("a", "b", "c")) {
            send(producer, "PUB t\n", utf8(body));
        }
        assertThat(texts(producer)).containsExactly("OK", "OK", "OK");
        EmbeddedChannel consumer = connect();
        send(consumer, "SUB t c\n");
        send(consumer, "RDY 3\n");
        List<Got> got = frames(consumer);
        assertThat(got).extracting(Got::text).containsExactly("OK", "a", "b", "c");
        // one read: FINs before and after an unknown id, then a NOP (no answer of its own)
        send(
                consumer,
                "FIN " + got.get(1).id() + "\nFIN 0123456789abcdef\nFIN "
                        + got.get(2).id() + "\nFIN " + got.get(3).id() + "\nNOP\n");
        assertThat(texts(consumer)).containsExactly("E_FIN_FAILED FIN 0123456789abcdef failed ID not in flight");
        ChannelStats stats = done(engine.stats("t")).orElseThrow().channels().get(0);
        assertThat(stats.inFlight()).as("every FIN reached the engine").isZero();
        assertThat(stats.depth()).isZero();
        assertThat(consumer.isActive()).isTrue();
    }

    @Test
    void shouldCloseWithNsqdsErrorsOnFatalMistakes() {
        EmbeddedChannel a = connect();
        send(a, "SUB bad/topic c\n");
        assertThat(texts(a)).containsExactly("E_BAD_TOPIC SUB topic name \"bad/topic\" is not valid");
        assertThat(a.isActive()).isFalse();

        EmbeddedChannel b = connect();
        send(b, "MPUB bad!\n", new byte[] {0, 0, 0, 1});
        assertThat(texts(b)).containsExactly("E_BAD_TOPIC E_BAD_TOPIC MPUB topic name \"bad!\" is not valid");

        EmbeddedChannel c = connect();
        send(c, "DPUB t 3600001\n", utf8("x"));
        assertThat(texts(c)).containsExactly("E_INVALID DPUB timeout 3600001 out of range 0-3600000");

        EmbeddedChannel d = connect();
        send(d, "RDY 1\n");
        assertThat(texts(d)).containsExactly("E_INVALID cannot RDY in current state");

        EmbeddedChannel e = connect();
        send(e, "WHAT\n");
        assertThat(texts(e)).containsExactly("E_INVALID invalid command WHAT");

        EmbeddedChannel f = connect();
        send(f, "PUB t\n", new byte[(1 << 20) + 1]);
        assertThat(texts(f)).containsExactly("E_BAD_MESSAGE PUB message too big 1048577 > 1048576");

        EmbeddedChannel g = new EmbeddedChannel(new V2ChannelInitializer(engine, options));
        channels.add(g);
        g.writeInbound(Unpooled.copiedBuffer("  V1", StandardCharsets.US_ASCII));
        assertThat(texts(g)).containsExactly("E_BAD_PROTOCOL");
        assertThat(g.isActive()).isFalse();

        EmbeddedChannel h = connect();
        send(h, "IDENTIFY\n", utf8("{\"heartbeat_interval\":-1}"));
        send(h, "SUB t c\n");
        assertThat(texts(h)).containsExactly("OK", "E_INVALID cannot SUB with heartbeats disabled");
    }

    @Test
    void shouldRefuseEveryCommandButIdentifyBeforeTlsWhenTlsIsRequired() {
        for (String line : List.of("SUB orders c\n", "RDY 1\n", "FIN 0000000000000001\n", "CLS\n", "NOP\n", "WHAT\n")) {
            EmbeddedChannel ch = connectRequiringTls();
            send(ch, line);
            String name = line.substring(0, line.indexOf(line.contains(" ") ? ' ' : '\n'));
            assertThat(texts(ch)).containsExactly("E_INVALID cannot " + name + " in current state (TLS required)");
            assertThat(ch.isActive()).as(line).isFalse();
        }
        for (String name : List.of("PUB", "MPUB", "AUTH")) {
            EmbeddedChannel ch = connectRequiringTls();
            send(ch, name + (name.equals("AUTH") ? "\n" : " orders\n"), utf8("x"));
            assertThat(texts(ch)).containsExactly("E_INVALID cannot " + name + " in current state (TLS required)");
            assertThat(ch.isActive()).isFalse();
        }
        EmbeddedChannel dpub = connectRequiringTls();
        send(dpub, "DPUB orders 10\n", utf8("x"));
        assertThat(texts(dpub)).containsExactly("E_INVALID cannot DPUB in current state (TLS required)");
        assertThat(done(engine.stats("orders"))).isEmpty();
    }

    @Test
    void shouldAnswerIdentifyWithoutTlsAndStillRefuseCommandsWhenTlsIsRequired() {
        EmbeddedChannel ch = connectRequiringTls();
        send(ch, "IDENTIFY\n", utf8("{\"feature_negotiation\":true}"));
        send(ch, "PUB orders\n", utf8("x"));
        List<String> got = texts(ch);
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).contains("\"tls_v1\":false");
        assertThat(got.get(1)).isEqualTo("E_INVALID cannot PUB in current state (TLS required)");
        assertThat(ch.isActive()).isFalse();
    }

    /** An IDENTIFY followed, in the same write, by a PUB sent before the client could read the answer. */
    private static ByteBuf identifyThenPub(String identify) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeCharSequence("IDENTIFY\n", StandardCharsets.UTF_8);
        byte[] body = utf8(identify);
        buf.writeInt(body.length);
        buf.writeBytes(body);
        buf.writeCharSequence("PUB orders\n", StandardCharsets.UTF_8);
        buf.writeInt(1);
        buf.writeByte('x');
        return buf;
    }

    @Test
    void shouldDropWhatWasSentPlainAfterAnIdentifyThatUpgrades() {
        // with TLS required, a plain PUB behind the IDENTIFY must not pass for one sent over TLS
        EmbeddedChannel tls = connectRequiringTls();
        tls.writeInbound(identifyThenPub("{\"feature_negotiation\":true,\"tls_v1\":true}"));
        List<String> got = texts(tls);
        assertThat(got).hasSize(1);
        assertThat(got.get(0)).contains("\"tls_v1\":true");
        assertThat(tls.isActive()).as("waiting for the handshake").isTrue();

        // the same for compression: the PUB was not compressed, so it is no command
        EmbeddedChannel snappy = connect();
        snappy.writeInbound(identifyThenPub("{\"feature_negotiation\":true,\"snappy\":true}"));
        ByteBuf answer = snappy.readOutbound();
        assertThat(answer.toString(StandardCharsets.UTF_8)).contains("\"snappy\":true");
        answer.release();
        assertThat(snappy.isActive()).isTrue();
        assertThat(done(engine.stats("orders"))).isEmpty();
    }

    @Test
    void shouldStopDeliveringAfterCls() {
        EmbeddedChannel consumer = connect();
        send(consumer, "SUB t c\n");
        send(consumer, "CLS\n");
        send(consumer, "RDY 5\n");
        assertThat(texts(consumer)).containsExactly("OK", "CLOSE_WAIT");
        EmbeddedChannel producer = connect();
        send(producer, "PUB t\n", utf8("x"));
        assertThat(frames(consumer)).isEmpty();
    }

    @Test
    void shouldSendHeartbeatsAndCloseAfterTwoSilentIntervals() {
        EmbeddedChannel ch = connect();
        send(ch, "IDENTIFY\n", utf8("{\"heartbeat_interval\":1000}"));
        assertThat(texts(ch)).containsExactly("OK");
        ch.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(texts(ch)).containsExactly("_heartbeat_");
        send(ch, "NOP\n");
        ch.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isTrue();
        ch.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void shouldRequeueWhatWasInFlightWhenAClientGoesAway() {
        EmbeddedChannel producer = connect();
        send(producer, "PUB t\n", utf8("x"));
        EmbeddedChannel first = connect();
        send(first, "SUB t c\n");
        send(first, "RDY 1\n");
        assertThat(frames(first)).hasSize(2);
        EmbeddedChannel second = connect();
        send(second, "SUB t c\n");
        first.close();
        send(second, "RDY 1\n");
        List<Got> got = frames(second);
        assertThat(got).extracting(Got::text).containsExactly("OK", "x");
        assertThat(got.get(1).attempts()).isEqualTo(2);
    }

    @Test
    void shouldStopWritingToAClientThatStopsReading() {
        EmbeddedChannel producer = connect();
        for (int i = 0; i < 50; i++) {
            send(producer, "PUB t\n", new byte[1000]);
        }
        EmbeddedChannel consumer = connect();
        consumer.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1024, 4096));
        send(consumer, "SUB t c\n");
        // an EmbeddedChannel keeps what is written until the test reads it, like a client that stopped
        consumer.config().setAutoRead(false);
        consumer.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        send(consumer, "RDY 50\n");
        long delivered = frames(consumer).stream()
                .filter(g -> g.type() == Frame.TYPE_MESSAGE)
                .count();
        assertThat(delivered).isZero();
        assertThat(done(engine.stats("t")).orElseThrow().channels().get(0).depth())
                .isEqualTo(50);
        consumer.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        consumer.runPendingTasks();
        assertThat(frames(consumer).stream()
                        .filter(g -> g.type() == Frame.TYPE_MESSAGE)
                        .count())
                .isEqualTo(50);
    }

    @Test
    void shouldNotLetTouchTakeAMessagePastTheMaxMsgTimeout() {
        EmbeddedChannel consumer = connect();
        send(consumer, "SUB t c\n");
        send(consumer, "RDY 1\n");
        EmbeddedChannel producer = connect();
        send(producer, "PUB t\n", utf8("x"));
        Got first = frames(consumer).get(1);
        // touch every 50 s for 15 min: the message still times out at delivery + 15 min
        for (int i = 0; i < 17; i++) {
            clock.advance(java.time.Duration.ofSeconds(50));
            send(consumer, "TOUCH " + first.id() + "\n");
        }
        assertThat(frames(consumer)).isEmpty();
        clock.advance(java.time.Duration.ofSeconds(50)); // 900 s after delivery
        // the engine's timer times the lease out (only the engine is polled: its signal to the
        // connection comes from another thread, which an EmbeddedChannel does not support)
        org.awaitility.Awaitility.await()
                .until(() ->
                        done(engine.stats("t")).orElseThrow().channels().get(0).timeoutCount() == 1);
    }
}
