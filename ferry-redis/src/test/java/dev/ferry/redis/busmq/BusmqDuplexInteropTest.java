package dev.ferry.redis.busmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Bus;
import dev.ferry.busmq.Duplex;
import dev.ferry.redis.testing.RedisProcess;
import dev.ferry.redis.testing.RedisProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A busmq channel with Ferry's {@link Duplex} on one side and the real node busmq 3.1 on the other,
 * over one Redis: queues {@code channel:ROLE:NAME}, busmq's {@code :1:}..{@code :4:} framing, in
 * both role assignments and with explicit roles.
 */
class BusmqDuplexInteropTest {
    private RedisProcesses processes;
    private RedisProcess redis;
    private Bus bus;

    @BeforeAll
    static void installBusmq() throws Exception {
        NodeBusmq.install();
    }

    @BeforeEach
    void start() {
        processes = new RedisProcesses();
        redis = processes.server();
        bus = Bus.open(redis.uri());
    }

    @AfterEach
    void stop() {
        try {
            bus.close();
        } finally {
            processes.close();
        }
    }

    /** What the Ferry side heard, in order. */
    private static final class Events extends CopyOnWriteArrayList<String> implements Duplex.Listener {
        @Override
        public void remoteConnect() {
            add("remote:connect");
        }

        @Override
        public void remoteDisconnect() {
            add("remote:disconnect");
        }

        @Override
        public void message(String message) {
            add("message:" + message);
        }

        @Override
        public void error(Throwable error) {
            add("error:" + error.getMessage());
        }
    }

    @Test
    void shouldTalkToANodeBusmqPeerThatListens() throws Exception {
        converse("listening", Duplex::connect, "listen");
    }

    @Test
    void shouldTalkToANodeBusmqPeerThatConnects() throws Exception {
        converse("connecting", Duplex::listen, "connect");
    }

    @Test
    void shouldTalkToANodeBusmqPeerWithExplicitRoles() throws Exception {
        try (NodeBusmq node = NodeBusmq.start("channel", redis.uri(), "zoo", "connect", "server", "client");
                Duplex ferry = Duplex.of(bus, "zoo", "client", "server")) {
            node.awaitReady();
            talk(ferry, Duplex::connect, node);
        }
        assertThat(redis.command("EXISTS", "bus:queue:channel:client:zoo:metadata"))
                .isEqualTo(":1");
        assertThat(redis.command("EXISTS", "bus:queue:channel:server:zoo:metadata"))
                .isEqualTo(":1");
    }

    private void converse(String name, Consumer<Duplex> open, String nodeMode) throws Exception {
        try (NodeBusmq node = NodeBusmq.start("channel", redis.uri(), name, nodeMode);
                Duplex ferry = Duplex.of(bus, name)) {
            node.awaitReady();
            talk(ferry, open, node);
        }
    }

    private static void talk(Duplex ferry, Consumer<Duplex> open, NodeBusmq node) throws Exception {
        Events events = new Events();
        ferry.addListener(events);
        open.accept(ferry);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("message:hello from node"));
        ferry.send("hi");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("message:node got: hi"));
        ferry.send("bye");
        List<String> nodeEvents = new ArrayList<>();
        new ObjectMapper().readTree(node.result()).get("events").forEach(e -> nodeEvents.add(e.asText()));
        assertThat(nodeEvents).containsExactly("remote:connect", "message:hi", "message:bye");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("remote:disconnect"));
        assertThat(events)
                .containsSubsequence(
                        "remote:connect", "message:hello from node", "message:node got: hi", "remote:disconnect")
                .noneMatch(e -> e.startsWith("error:"));
    }
}
