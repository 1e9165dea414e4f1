package dev.ferry.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.spi.PublishRecord;
import dev.ferry.testing.MutableClock;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wakeup service against a real broker's /stats and real unix sockets. */
class WakeupServiceTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_000_000);
    private final List<String> log = new ArrayList<>();
    private LocalEngine engine;
    private NsqTcpServer tcp;
    private NsqTcpServer http;
    private WakeupService wakeup;
    private final List<ServerSocketChannel> sockets = new ArrayList<>();

    @BeforeEach
    void start() {
        engine = LocalEngine.open(EmbeddedEngineConfig.memory().build(), clock);
        ServerOptions options = ServerOptions.defaults().withClock(clock);
        NsqTcpServer.Builder servers = NsqTcpServer.builder(engine).options(options);
        tcp = servers.startTcp("127.0.0.1", 0);
        http = servers.startHttp("127.0.0.1", 0);
        wakeup = new WakeupService(
                List.of("127.0.0.1:" + http.port()),
                dir.resolve("{topic}/{channel}.sock").toString(),
                Duration.ofSeconds(5),
                clock,
                log::add);
    }

    @AfterEach
    void stop() throws IOException {
        for (ServerSocketChannel s : sockets) {
            s.close();
        }
        http.close();
        tcp.close();
        engine.close();
    }

    /** A listening socket standing in for systemd's; returns it so the test can accept. */
    private ServerSocketChannel listen(String topic, String channel) throws IOException {
        Path path = wakeup.socketOf(topic, channel);
        Files.createDirectories(path.getParent());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        sockets.add(server);
        return server;
    }

    private void publish(String topic, int n) {
        List<PublishRecord> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(PublishRecord.of(("m" + i).getBytes(StandardCharsets.UTF_8)));
        }
        engine.append(topic, batch).join();
    }

    @Test
    void shouldWakeTheSocketOfAChannelWithABacklogAndNoConsumer() throws Exception {
        done(engine.createChannel("foo", "1"));
        done(engine.createChannel("foo", "2"));
        ServerSocketChannel one = listen("foo", "1");
        listen("foo", "2");
        assertThat(wakeup.poll()).as("nothing to do yet").isEmpty();

        publish("foo", 3);
        // both channels hold the 3 messages; neither has a consumer
        assertThat(wakeup.poll())
                .extracting(WakeupService.Wakeup::channel, WakeupService.Wakeup::depth)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("1", 3L), org.assertj.core.groups.Tuple.tuple("2", 3L));
        try (SocketChannel accepted = one.accept()) {
            assertThat(accepted).isNotNull();
        }
        assertThat(log).anyMatch(l -> l.contains("woke") && l.contains("foo/1 has 3 messages and no consumer"));
    }

    @Test
    void shouldRateLimitEachSocket() throws Exception {
        listen("foo", "1");
        done(engine.createChannel("foo", "1"));
        publish("foo", 1);
        assertThat(wakeup.poll()).hasSize(1);
        assertThat(wakeup.poll()).as("within the minimum interval").isEmpty();
        clock.advance(Duration.ofSeconds(5));
        assertThat(wakeup.poll()).hasSize(1);
    }

    @Test
    void shouldLeaveAChannelWithAConsumerAlone() throws Exception {
        listen("foo", "1");
        done(engine.createChannel("foo", "1"));
        publish("foo", 2);
        try (Socket consumer = new Socket("127.0.0.1", tcp.port())) {
            OutputStream out = consumer.getOutputStream();
            out.write("  V2SUB foo 1\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(consumer.getInputStream());
            in.readInt();
            in.readInt();
            assertThat(new String(in.readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("OK");
            assertThat(wakeup.poll()).isEmpty();
        }
    }

    @Test
    void shouldSkipAChannelWithoutASocketAndSaySoOnce() {
        done(engine.createChannel("bar", "x"));
        publish("bar", 1);
        assertThat(wakeup.poll()).isEmpty();
        assertThat(wakeup.poll()).isEmpty();
        assertThat(log).filteredOn(l -> l.contains("does not exist")).hasSize(1);
    }

    @Test
    void shouldSkipAPausedChannel() throws Exception {
        listen("foo", "1");
        done(engine.createChannel("foo", "1"));
        done(engine.setChannelPaused("foo", "1", true));
        publish("foo", 1);
        assertThat(wakeup.poll()).isEmpty();
    }
}
