package dev.ferry.nsq.internal.server;

import static dev.ferry.nsq.internal.server.EmbeddedClient.command;
import static dev.ferry.nsq.internal.server.EmbeddedClient.sized;
import static dev.ferry.nsq.internal.server.EmbeddedClient.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.testing.MutableClock;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error a command can meet, with nsqd 1.3's code and text, and whether it closes the
 * connection (fatal) or not. The texts come from nsqd's {@code protocol_v2.go}.
 */
class V2ErrorPathsTest {
    private final MutableClock clock = new MutableClock(1_000_000);
    private final LocalEngine engine =
            LocalEngine.open(EmbeddedEngineConfig.memory().build(), clock);
    private final ServerOptions options = ServerOptions.defaults().withClock(clock);

    @AfterEach
    void close() {
        engine.close();
    }

    private static final byte[] SUBSCRIBED = command("SUB t c\n", null);
    private static final String TOO_BIG = "1048577";

    private static Arguments fatal(String name, byte[] setup, byte[] offending, String error) {
        return Arguments.of(name, setup, offending, error, true);
    }

    private static Arguments nonFatal(String name, byte[] setup, byte[] offending, String error) {
        return Arguments.of(name, setup, offending, error, false);
    }

    private static byte[] mpub(int count, int... sizes) {
        ByteBuffer b = ByteBuffer.allocate(4
                + 4 * sizes.length
                + java.util.Arrays.stream(sizes).map(s -> Math.max(0, s)).sum());
        b.putInt(count);
        for (int s : sizes) {
            b.putInt(s);
            b.put(new byte[Math.max(0, s)]);
        }
        return b.array();
    }

    static Stream<Arguments> errors() {
        byte[] none = new byte[0];
        return Stream.of(
                fatal("unknown command", none, command("WHAT\n", null), "E_INVALID invalid command WHAT"),
                // IDENTIFY
                fatal(
                        "IDENTIFY after SUB",
                        SUBSCRIBED,
                        command("IDENTIFY\n", utf8("{}")),
                        "E_INVALID cannot IDENTIFY in current state"),
                fatal("IDENTIFY empty body", none, sized("IDENTIFY\n", 0), "E_BAD_BODY IDENTIFY invalid body size 0"),
                fatal(
                        "IDENTIFY negative body size",
                        none,
                        sized("IDENTIFY\n", -1),
                        "E_BAD_BODY IDENTIFY invalid body size -1"),
                fatal(
                        "IDENTIFY body too big",
                        none,
                        sized("IDENTIFY\n", 5 * 1024 * 1024 + 1),
                        "E_BAD_BODY IDENTIFY body too big 5242881 > 5242880"),
                fatal(
                        "IDENTIFY broken JSON",
                        none,
                        command("IDENTIFY\n", utf8("{nope")),
                        "E_BAD_BODY IDENTIFY failed to decode JSON body"),
                fatal(
                        "IDENTIFY heartbeat",
                        none,
                        command("IDENTIFY\n", utf8("{\"heartbeat_interval\":999}")),
                        "E_BAD_BODY IDENTIFY heartbeat interval (999) is invalid"),
                fatal(
                        "IDENTIFY output buffer timeout",
                        none,
                        command("IDENTIFY\n", utf8("{\"output_buffer_timeout\":1}")),
                        "E_BAD_BODY IDENTIFY output buffer timeout (1) is invalid"),
                fatal(
                        "IDENTIFY output buffer size",
                        none,
                        command("IDENTIFY\n", utf8("{\"output_buffer_size\":63}")),
                        "E_BAD_BODY IDENTIFY output buffer size (63) is invalid"),
                fatal(
                        "IDENTIFY sample rate",
                        none,
                        command("IDENTIFY\n", utf8("{\"sample_rate\":100}")),
                        "E_BAD_BODY IDENTIFY sample rate (100) is invalid"),
                fatal(
                        "IDENTIFY msg timeout",
                        none,
                        command("IDENTIFY\n", utf8("{\"msg_timeout\":999}")),
                        "E_BAD_BODY IDENTIFY msg timeout (999) is invalid"),
                // nsqd decodes these fields as 64-bit integers, so a value out of range is named, not undecodable
                fatal(
                        "IDENTIFY heartbeat out of int range",
                        none,
                        command("IDENTIFY\n", utf8("{\"heartbeat_interval\":1000000000000}")),
                        "E_BAD_BODY IDENTIFY heartbeat interval (1000000000000) is invalid"),
                fatal(
                        "IDENTIFY output buffer timeout out of int range",
                        none,
                        command("IDENTIFY\n", utf8("{\"output_buffer_timeout\":1000000000000}")),
                        "E_BAD_BODY IDENTIFY output buffer timeout (1000000000000) is invalid"),
                fatal(
                        "IDENTIFY output buffer size out of int range",
                        none,
                        command("IDENTIFY\n", utf8("{\"output_buffer_size\":1000000000000}")),
                        "E_BAD_BODY IDENTIFY output buffer size (1000000000000) is invalid"),
                fatal(
                        "IDENTIFY msg timeout out of int range",
                        none,
                        command("IDENTIFY\n", utf8("{\"msg_timeout\":-9223372036854775808}")),
                        "E_BAD_BODY IDENTIFY msg timeout (-9223372036854775808) is invalid"),
                // ... but what Go cannot decode into its field is still undecodable, as in nsqd
                fatal(
                        "IDENTIFY heartbeat beyond 64 bits",
                        none,
                        command("IDENTIFY\n", utf8("{\"heartbeat_interval\":100000000000000000000}")),
                        "E_BAD_BODY IDENTIFY failed to decode JSON body"),
                fatal(
                        "IDENTIFY sample rate beyond 32 bits",
                        none,
                        command("IDENTIFY\n", utf8("{\"sample_rate\":1000000000000}")),
                        "E_BAD_BODY IDENTIFY failed to decode JSON body"),
                fatal(
                        "IDENTIFY heartbeat with a fraction",
                        none,
                        command("IDENTIFY\n", utf8("{\"heartbeat_interval\":1.5}")),
                        "E_BAD_BODY IDENTIFY failed to decode JSON body"),
                fatal(
                        "IDENTIFY heartbeat as a string",
                        none,
                        command("IDENTIFY\n", utf8("{\"heartbeat_interval\":\"5000\"}")),
                        "E_BAD_BODY IDENTIFY failed to decode JSON body"),
                fatal(
                        "IDENTIFY both compressions",
                        none,
                        command("IDENTIFY\n", utf8("{\"feature_negotiation\":true,\"deflate\":true,\"snappy\":true}")),
                        "E_IDENTIFY_FAILED cannot enable both deflate and snappy compression"),
                // SUB
                fatal("SUB twice", SUBSCRIBED, command("SUB t c\n", null), "E_INVALID cannot SUB in current state"),
                fatal(
                        "SUB without heartbeats",
                        command("IDENTIFY\n", utf8("{\"heartbeat_interval\":-1}")),
                        command("SUB t c\n", null),
                        "E_INVALID cannot SUB with heartbeats disabled"),
                fatal(
                        "SUB one parameter",
                        none,
                        command("SUB t\n", null),
                        "E_INVALID SUB insufficient number of parameters"),
                fatal(
                        "SUB bad topic",
                        none,
                        command("SUB t! c\n", null),
                        "E_BAD_TOPIC SUB topic name \"t!\" is not valid"),
                fatal(
                        "SUB bad channel",
                        none,
                        command("SUB t c!\n", null),
                        "E_BAD_CHANNEL SUB channel name \"c!\" is not valid"),
                // PUB
                fatal(
                        "PUB no topic",
                        none,
                        command("PUB\n", utf8("x")),
                        "E_INVALID PUB insufficient number of parameters"),
                fatal(
                        "PUB bad topic",
                        none,
                        command("PUB t!\n", utf8("x")),
                        "E_BAD_TOPIC PUB topic name \"t!\" is not valid"),
                fatal("PUB empty body", none, sized("PUB t\n", 0), "E_BAD_MESSAGE PUB invalid message body size 0"),
                fatal(
                        "PUB negative body size",
                        none,
                        sized("PUB t\n", -1),
                        "E_BAD_MESSAGE PUB invalid message body size -1"),
                fatal(
                        "PUB too big",
                        none,
                        sized("PUB t\n", Integer.parseInt(TOO_BIG)),
                        "E_BAD_MESSAGE PUB message too big 1048577 > 1048576"),
                // MPUB
                fatal(
                        "MPUB no topic",
                        none,
                        command("MPUB\n", mpub(1, 1)),
                        "E_INVALID MPUB insufficient number of parameters"),
                fatal(
                        "MPUB bad topic",
                        none,
                        command("MPUB t!\n", mpub(1, 1)),
                        "E_BAD_TOPIC E_BAD_TOPIC MPUB topic name \"t!\" is not valid"),
                fatal("MPUB empty body", none, sized("MPUB t\n", 0), "E_BAD_BODY MPUB invalid body size 0"),
                fatal(
                        "MPUB body too big",
                        none,
                        sized("MPUB t\n", 5 * 1024 * 1024 + 1),
                        "E_BAD_BODY MPUB body too big 5242881 > 5242880"),
                fatal(
                        "MPUB zero messages",
                        none,
                        command("MPUB t\n", mpub(0)),
                        "E_BAD_BODY MPUB invalid message count 0"),
                fatal(
                        "MPUB empty message",
                        none,
                        command("MPUB t\n", mpub(1, 0)),
                        "E_BAD_MESSAGE MPUB invalid message(0) body size 0"),
                fatal(
                        "MPUB missing message",
                        none,
                        command("MPUB t\n", mpub(2, 1)),
                        "E_BAD_MESSAGE MPUB failed to read message(1) body size"),
                // DPUB
                fatal(
                        "DPUB no delay",
                        none,
                        command("DPUB t\n", utf8("x")),
                        "E_INVALID DPUB insufficient number of parameters"),
                fatal(
                        "DPUB bad delay",
                        none,
                        command("DPUB t soon\n", utf8("x")),
                        "E_INVALID DPUB could not parse timeout soon"),
                fatal(
                        "DPUB delay too long",
                        none,
                        command("DPUB t 3600001\n", utf8("x")),
                        "E_INVALID DPUB timeout 3600001 out of range 0-3600000"),
                fatal(
                        "DPUB empty body",
                        none,
                        sized("DPUB t 10\n", 0),
                        "E_BAD_MESSAGE DPUB invalid message body size 0"),
                // RDY
                fatal("RDY before SUB", none, command("RDY 1\n", null), "E_INVALID cannot RDY in current state"),
                fatal(
                        "RDY not a number",
                        SUBSCRIBED,
                        command("RDY x\n", null),
                        "E_INVALID RDY could not parse count x"),
                fatal(
                        "RDY too many",
                        SUBSCRIBED,
                        command("RDY 2501\n", null),
                        "E_INVALID RDY count 2501 out of range 0-2500"),
                // FIN, REQ, TOUCH
                fatal(
                        "FIN before SUB",
                        none,
                        command("FIN 0000000000000001\n", null),
                        "E_INVALID cannot FIN in current state"),
                fatal("FIN no id", SUBSCRIBED, command("FIN\n", null), "E_INVALID FIN insufficient number of params"),
                fatal("FIN bad id", SUBSCRIBED, command("FIN 12\n", null), "E_INVALID invalid message ID"),
                nonFatal(
                        "FIN unknown id",
                        SUBSCRIBED,
                        command("FIN 0000000000000001\n", null),
                        "E_FIN_FAILED FIN 0000000000000001 failed ID not in flight"),
                nonFatal(
                        "FIN unknown id in uppercase, echoed as sent",
                        SUBSCRIBED,
                        command("FIN 00000000000000AB\n", null),
                        "E_FIN_FAILED FIN 00000000000000AB failed ID not in flight"),
                nonFatal(
                        "FIN unknown id with a parameter too many",
                        SUBSCRIBED,
                        command("FIN 0000000000000001 x\r\n", null),
                        "E_FIN_FAILED FIN 0000000000000001 failed ID not in flight"),
                fatal(
                        "REQ with a second space before the delay",
                        SUBSCRIBED,
                        command("REQ 0000000000000001  5\n", null),
                        "E_INVALID REQ could not parse timeout "),
                fatal(
                        "REQ before SUB",
                        none,
                        command("REQ 0000000000000001 0\n", null),
                        "E_INVALID cannot REQ in current state"),
                fatal(
                        "REQ no delay",
                        SUBSCRIBED,
                        command("REQ 0000000000000001\n", null),
                        "E_INVALID REQ insufficient number of params"),
                fatal(
                        "REQ bad delay",
                        SUBSCRIBED,
                        command("REQ 0000000000000001 x\n", null),
                        "E_INVALID REQ could not parse timeout x"),
                nonFatal(
                        "REQ unknown id",
                        SUBSCRIBED,
                        command("REQ 0000000000000001 0\n", null),
                        "E_REQ_FAILED REQ 0000000000000001 failed ID not in flight"),
                fatal(
                        "TOUCH before SUB",
                        none,
                        command("TOUCH 0000000000000001\n", null),
                        "E_INVALID cannot TOUCH in current state"),
                fatal(
                        "TOUCH no id",
                        SUBSCRIBED,
                        command("TOUCH\n", null),
                        "E_INVALID TOUCH insufficient number of params"),
                nonFatal(
                        "TOUCH unknown id",
                        SUBSCRIBED,
                        command("TOUCH 0000000000000001\n", null),
                        "E_TOUCH_FAILED TOUCH 0000000000000001 failed ID not in flight"),
                // CLS, AUTH
                fatal("CLS before SUB", none, command("CLS\n", null), "E_INVALID cannot CLS in current state"),
                fatal("AUTH without auth", none, command("AUTH\n", utf8("secret")), "E_AUTH_DISABLED AUTH disabled"),
                fatal(
                        "AUTH with a parameter",
                        none,
                        command("AUTH x\n", utf8("secret")),
                        "E_INVALID AUTH invalid number of parameters"),
                fatal("AUTH empty body", none, sized("AUTH\n", 0), "E_BAD_BODY AUTH invalid body size 0"),
                fatal(
                        "AUTH after SUB",
                        SUBSCRIBED,
                        command("AUTH\n", utf8("secret")),
                        "E_INVALID cannot AUTH in current state"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void shouldAnswerEachErrorAsNsqd(String name, byte[] setup, byte[] offending, String error, boolean fatal) {
        try (EmbeddedClient client = new EmbeddedClient(engine, options, null)) {
            if (setup.length > 0) {
                client.send(setup);
                assertThat(client.texts()).as("setup of %s", name).containsOnly("OK");
            }
            client.send(offending);
            List<String> texts = client.texts();
            assertThat(texts).as(name).containsExactly(error);
            assertThat(client.isOpen()).as("connection open after %s", name).isEqualTo(!fatal);
        }
    }
}
