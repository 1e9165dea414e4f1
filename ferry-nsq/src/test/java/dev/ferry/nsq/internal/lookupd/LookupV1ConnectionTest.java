package dev.ferry.nsq.internal.lookupd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.MutableClock;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LookupV1ConnectionTest {
    private final MutableClock clock = MutableClock.start();
    private final LookupdState state = new LookupdState(new LookupdOptions(
            Duration.ofSeconds(300), Duration.ofSeconds(45), "lookupd-host", "lookupd-host", "1.3.0", 1024, clock));

    {
        state.ports(4160, 4161);
    }

    private V1Peer identified(int port) {
        V1Peer peer = new V1Peer(state, port).identifyAs("node" + port, 4150, 4151);
        assertThat(peer.response()).startsWith("{");
        return peer;
    }

    @Test
    void shouldRefuseABadMagicAndClose() {
        V1Peer peer = new V1Peer(state, 1000).send("  V2PING\n");
        assertThat(peer.response()).isEqualTo("E_BAD_PROTOCOL");
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void shouldAnswerPingBeforeIdentify() {
        V1Peer peer = new V1Peer(state, 1000).magic().send("PING\n");
        assertThat(peer.response()).isEqualTo("OK");
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void shouldAnswerIdentifyWithTheLookupdsOwnInfoInGoKeyOrder() {
        V1Peer peer = new V1Peer(state, 1000).identifyAs("node1", 4150, 4151);
        String answer = peer.response();
        assertThat(answer)
                .isEqualTo("{\"broadcast_address\":\"lookupd-host\",\"hostname\":\"lookupd-host\",\"http_port\":4161,"
                        + "\"tcp_port\":4160,\"version\":\"1.3.0\"}");
        assertThat(state.db.producers(Registration.CLIENT, "", ""))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.peer.id).isEqualTo("127.0.0.1:1000");
                    assertThat(p.peer.broadcastAddress).isEqualTo("node1");
                    assertThat(p.peer.tcpPort).isEqualTo(4150);
                });
    }

    @Test
    void shouldReadCommandsSplitAcrossReadsAndSeveralInOneRead() {
        V1Peer peer = new V1Peer(state, 1000).send(" ").send(" V1PI").send("NG\nPING\n");
        assertThat(peer.response()).isEqualTo("OK");
        assertThat(peer.response()).isEqualTo("OK");
        byte[] body = "{\"broadcast_address\":\"a\",\"tcp_port\":1,\"http_port\":2,\"version\":\"v\"}".getBytes();
        peer.send("IDENTIFY\n");
        peer.writeInbound(Unpooled.buffer().writeInt(body.length).writeBytes(body, 0, 10));
        assertThat(peer.response()).isNull();
        peer.writeInbound(Unpooled.wrappedBuffer(body, 10, body.length - 10));
        assertThat(peer.response()).contains("\"tcp_port\":4160");
    }

    @Test
    void shouldRequireEveryIdentifyField() {
        V1Peer peer = new V1Peer(state, 1000)
                .magic()
                .identify("{\"broadcast_address\":\"a\",\"tcp_port\":1,\"version\":\"v\"}");
        assertThat(peer.response()).isEqualTo("E_BAD_BODY IDENTIFY missing fields");
        assertThat(peer.isOpen()).isFalse();
        assertThat(state.db.producers(Registration.CLIENT, "", "")).isEmpty();
    }

    @Test
    void shouldRefuseAnIdentifyBodyThatIsNotItsJson() {
        assertThat(new V1Peer(state, 1000).magic().identify("not json").response())
                .isEqualTo("E_BAD_BODY IDENTIFY failed to decode JSON body");
        assertThat(new V1Peer(state, 1001)
                        .magic()
                        .identify("{\"tcp_port\":\"4150\"}")
                        .response())
                .isEqualTo("E_BAD_BODY IDENTIFY failed to decode JSON body");
        assertThat(new V1Peer(state, 1002).magic().identify("[1]").response())
                .isEqualTo("E_BAD_BODY IDENTIFY failed to decode JSON body");
    }

    @Test
    void shouldRefuseAnIdentifyBodyLargerThanTheLimit() {
        V1Peer peer = new V1Peer(state, 1000).magic().send("IDENTIFY\n");
        peer.writeInbound(Unpooled.buffer().writeInt(1025));
        assertThat(peer.response()).isEqualTo("E_BAD_BODY IDENTIFY failed to read body size");
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseASecondIdentify() {
        V1Peer peer = identified(1000).send("IDENTIFY\n");
        assertThat(peer.response()).isEqualTo("E_INVALID cannot IDENTIFY again");
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void shouldRequireIdentifyBeforeRegistering() {
        V1Peer peer = new V1Peer(state, 1000).magic().send("REGISTER t\n");
        assertThat(peer.response()).isEqualTo("E_INVALID client must IDENTIFY");
        assertThat(peer.isOpen()).isFalse();
        V1Peer other = new V1Peer(state, 1001).magic().send("UNREGISTER t\n");
        assertThat(other.response()).isEqualTo("E_INVALID client must IDENTIFY");
    }

    @Test
    void shouldRefuseUnknownCommandsAndBadNames() {
        assertThat(identified(1000).send("HELLO there\n").response()).isEqualTo("E_INVALID invalid command HELLO");
        assertThat(identified(1001).send("\n").response()).isEqualTo("E_INVALID invalid command ");
        assertThat(identified(1002).send("REGISTER\n").response())
                .isEqualTo("E_INVALID REGISTER insufficient number of params");
        assertThat(identified(1003).send("REGISTER bad!topic\n").response())
                .isEqualTo("E_BAD_TOPIC REGISTER topic name 'bad!topic' is not valid");
        assertThat(identified(1004).send("UNREGISTER t bad!channel\n").response())
                .isEqualTo("E_BAD_CHANNEL UNREGISTER channel name 'bad!channel' is not valid");
        V1Peer peer = identified(1005).send("REGISTER  t\n");
        assertThat(peer.response()).isEqualTo("E_BAD_TOPIC REGISTER topic name '' is not valid");
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void shouldRegisterATopicWithAChannelAndAcceptTrailingWhitespace() {
        V1Peer peer = identified(1000).send("REGISTER t c\r\n").send("REGISTER u\n");
        assertThat(peer.response()).isEqualTo("OK");
        assertThat(peer.response()).isEqualTo("OK");
        assertThat(RegistrationDb.keys(state.db.find(Registration.TOPIC, "*", "")))
                .containsExactly("t", "u");
        assertThat(RegistrationDb.subKeys(state.db.find(Registration.CHANNEL, "t", "*")))
                .containsExactly("c");
    }

    @Test
    void shouldUnregisterAChannelKeepingItsRegistrationUnlessEphemeral() {
        V1Peer peer = identified(1000)
                .send("REGISTER t c\n")
                .send("REGISTER t e#ephemeral\n")
                .send("UNREGISTER t c\n")
                .send("UNREGISTER t e#ephemeral\n");
        for (int i = 0; i < 4; i++) {
            assertThat(peer.response()).isEqualTo("OK");
        }
        assertThat(state.db.find(Registration.CHANNEL, "t", "*"))
                .singleElement()
                .satisfies(r -> assertThat(r.subKey()).isEqualTo("c"));
        assertThat(state.db.producers(Registration.CHANNEL, "t", "c")).isEmpty();
        assertThat(state.db.producers(Registration.TOPIC, "t", "")).hasSize(1);
    }

    @Test
    void shouldUnregisterATopicFromItsChannelsToo() {
        V1Peer one = identified(1000).send("REGISTER t c\n").send("REGISTER r#ephemeral\n");
        V1Peer two = identified(1001).send("REGISTER t c\n").send("REGISTER r#ephemeral\n");
        one.send("UNREGISTER t\n").send("UNREGISTER r#ephemeral\n");
        assertThat(state.db.producers(Registration.TOPIC, "t", ""))
                .extracting(p -> p.peer.id)
                .containsExactly("127.0.0.1:1001");
        assertThat(state.db.producers(Registration.CHANNEL, "t", "c"))
                .extracting(p -> p.peer.id)
                .containsExactly("127.0.0.1:1001");
        assertThat(state.db.find(Registration.TOPIC, "r#ephemeral", "")).hasSize(1);
        two.send("UNREGISTER r#ephemeral\n");
        assertThat(state.db.find(Registration.TOPIC, "r#ephemeral", "")).isEmpty();
    }

    @Test
    void shouldDropEveryRegistrationOfAPeerWhoseConnectionEnds() {
        V1Peer one = identified(1000).send("REGISTER t c\n");
        identified(1001).send("REGISTER t\n");
        one.close();
        assertThat(state.db.producers(Registration.TOPIC, "t", ""))
                .extracting(p -> p.peer.id)
                .containsExactly("127.0.0.1:1001");
        assertThat(state.db.producers(Registration.CLIENT, "", "")).hasSize(1);
        // the keys stay, with no producers, as nsqlookupd's do
        assertThat(state.db.find(Registration.CHANNEL, "t", "c")).hasSize(1);
        assertThat(state.db.producers(Registration.CHANNEL, "t", "c")).isEmpty();
    }

    @Test
    void shouldForgetTheEphemeralTopicsAndChannelsOfAPeerWhoseConnectionEnds() {
        V1Peer one = identified(1000)
                .send("REGISTER t e#ephemeral\n")
                .send("REGISTER r#ephemeral\n")
                .send("REGISTER s#ephemeral\n");
        identified(1001).send("REGISTER s#ephemeral\n");
        one.close();
        // nsqlookupd would keep both listed with no producers, for good: nothing unregisters them after
        assertThat(state.db.find(Registration.CHANNEL, "t", "e#ephemeral")).isEmpty();
        assertThat(state.db.find(Registration.TOPIC, "r#ephemeral", "")).isEmpty();
        // one still produced by another node stays
        assertThat(state.db.producers(Registration.TOPIC, "s#ephemeral", ""))
                .extracting(p -> p.peer.id)
                .containsExactly("127.0.0.1:1001");
        // a durable topic's key stays with no producers, as nsqlookupd's
        assertThat(state.db.find(Registration.TOPIC, "t", "")).hasSize(1);
    }

    @Test
    void shouldRefreshTheLastUpdateOnPing() {
        V1Peer peer = identified(1000);
        long identifiedAt = clock.millis();
        clock.advance(Duration.ofSeconds(10));
        peer.send("PING\n");
        assertThat(peer.response()).isEqualTo("OK");
        PeerInfo info = state.db.producers(Registration.CLIENT, "", "").get(0).peer;
        assertThat(info.lastUpdate()).isEqualTo(identifiedAt + 10_000);
    }
}
