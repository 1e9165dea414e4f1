package dev.ferry.busmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.InvalidNameException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * busmq's channel behaviour ({@link Duplex}), written once and run embedded and through the NSQ
 * client against a Ferry broker.
 */
public abstract class DuplexContract extends BusContract {
    private Duplex duplex(Duplex d, Recorder recorder) {
        d.addListener(recorder);
        return closeAfter(d);
    }

    @Test
    void shouldTalkBothWaysWithDefaultRoles() {
        Recorder server = new Recorder();
        Recorder client = new Recorder();
        Duplex s = duplex(Duplex.of(bus, "bar"), server);
        Duplex c = duplex(Duplex.of(bus, "bar"), client);
        s.listen();
        assertThat(s.isAttached()).isTrue();
        assertThat(server.events).containsExactly("connect");
        c.connect();
        await().until(() -> server.events.contains("remote:connect"));
        await().until(() -> client.events.contains("remote:connect"));
        s.send("hello client!");
        c.send("hello server!");
        await().until(() -> client.messages.contains("hello client!"));
        await().until(() -> server.messages.contains("hello server!"));
        assertThat(client.events).startsWith("connect");
        assertThat(client.events).containsSubsequence("remote:connect", "message:hello client!");
        assertThat(bus.admin().topic("bar.local")).isPresent();
        assertThat(bus.admin().topic("bar.remote")).isPresent();
    }

    @Test
    void shouldTalkWithExplicitRolesBothConnecting() {
        Recorder server = new Recorder();
        Recorder client = new Recorder();
        Duplex s = duplex(Duplex.of(bus, "zoo", "server", "client"), server);
        Duplex c = duplex(Duplex.of(bus, "zoo", "client", "server"), client);
        c.connect();
        s.connect();
        c.send("ping");
        await().until(() -> server.messages.contains("ping"));
        s.send("pong");
        await().until(() -> client.messages.contains("pong"));
        await().until(() -> client.events.contains("remote:connect") && server.events.contains("remote:connect"));
        assertThat(bus.admin().topic("zoo.server")).isPresent();
        assertThat(bus.admin().topic("zoo.client")).isPresent();
    }

    @Test
    void shouldKeepMessagesInOrderSentBeforeThePeerConnects() {
        Recorder client = new Recorder();
        Duplex s = duplex(Duplex.of(bus, "early"), new Recorder());
        s.listen();
        for (int i = 0; i < 10; i++) {
            s.send("m" + i);
        }
        Duplex c = duplex(Duplex.of(bus, "early"), client);
        c.connect();
        await().until(() -> client.messages.size() == 10);
        assertThat(client.messages).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
    }

    @Test
    void shouldSendToAnEndpointWithoutConnecting() {
        Recorder server = new Recorder();
        Duplex s = duplex(Duplex.of(bus, "svc"), server);
        s.listen(); // consumes svc.remote
        Duplex sender = duplex(Duplex.of(bus, "svc"), new Recorder());
        sender.sendTo("remote", "direct");
        assertThat(sender.isAttached()).isFalse();
        await().until(() -> server.messages.contains("direct"));
    }

    @Test
    void shouldTellThePeerAboutDisconnect() {
        Recorder server = new Recorder();
        Recorder client = new Recorder();
        Duplex s = duplex(Duplex.of(bus, "d"), server);
        Duplex c = duplex(Duplex.of(bus, "d"), client);
        s.listen();
        c.connect();
        await().until(() -> server.events.contains("remote:connect"));
        c.disconnect();
        assertThat(c.isAttached()).isFalse();
        assertThat(client.events).endsWith("disconnect");
        await().until(() -> server.events.contains("remote:disconnect"));
        assertThatThrownBy(() -> c.send("x")).isInstanceOf(IllegalStateException.class);
        // a peer can connect again after a disconnect
        c.connect();
        await().until(() ->
                server.events.stream().filter("remote:connect"::equals).count() == 2);
    }

    @Test
    void shouldEndForBothSides() {
        Recorder server = new Recorder();
        Recorder client = new Recorder();
        Duplex s = duplex(Duplex.of(bus, "e"), server);
        Duplex c = duplex(Duplex.of(bus, "e"), client);
        s.listen();
        c.connect();
        await().until(() -> server.events.contains("remote:connect"));
        c.end();
        assertThat(c.isAttached()).isFalse();
        assertThat(client.events).endsWith("disconnect");
        await().until(() -> server.events.contains("end"));
        await().until(() -> !s.isAttached());
        assertThat(server.events).containsSubsequence("end", "disconnect");
        assertThatThrownBy(c::connect).isInstanceOf(IllegalStateException.class);
        await().until(() -> bus.admin().topic("e.local").isEmpty()
                && bus.admin().topic("e.remote").isEmpty());
    }

    @Test
    void shouldDeliverAtLeastOnceWhenAsked() {
        AtomicInteger calls = new AtomicInteger();
        List<String> got = new CopyOnWriteArrayList<>();
        Duplex s = duplex(
                Duplex.of(bus, "alo", Duplex.Options.DEFAULT.withDelivery(BusQueue.Delivery.AT_LEAST_ONCE)),
                new Recorder());
        s.addListener(new Duplex.Listener() {
            @Override
            public void message(String message) {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("fail once");
                }
                got.add(message);
            }
        });
        s.listen();
        Duplex c = duplex(Duplex.of(bus, "alo"), new Recorder());
        c.connect();
        c.send("important");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            clock.advance(Duration.ofSeconds(1));
            return got.contains("important");
        });
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void shouldDeliverAtMostOnceByDefault() {
        Recorder server = new Recorder();
        AtomicInteger calls = new AtomicInteger();
        Duplex s = duplex(Duplex.of(bus, "amo"), server);
        s.addListener(new Duplex.Listener() {
            @Override
            public void message(String message) {
                calls.incrementAndGet();
                throw new IllegalStateException("lost " + message);
            }
        });
        s.listen();
        Duplex c = duplex(Duplex.of(bus, "amo"), new Recorder());
        c.connect();
        c.send("once");
        c.send("twice");
        await().until(() -> server.messages.contains("twice"));
        await().until(() -> server.errors.size() == 2);
        clock.advance(Duration.ofMinutes(5));
        assertThat(calls.get()).isEqualTo(2);
        assertThat(server.messages).containsExactly("once", "twice");
    }

    @Test
    void shouldTakePlainBodiesAsMessages() {
        Recorder server = new Recorder();
        Duplex s = duplex(Duplex.of(bus, "plain"), server);
        s.listen(); // consumes plain.remote
        bus.publish("plain.remote", "from any NSQ client".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        await().until(() -> server.messages.contains("from any NSQ client"));
    }

    @Test
    void shouldRefuseBadNamesAndEqualRoles() {
        assertThatThrownBy(() -> Duplex.of(bus, "x".repeat(60), "local", "remote"))
                .isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> Duplex.of(bus, "x", "same", "same")).isInstanceOf(IllegalArgumentException.class);
    }
}
