package dev.ferry.server;

import static dev.ferry.testing.Stages.done;

import dev.ferry.ChannelStats;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.TopicStats;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.spi.PublishRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;

/**
 * A broker for the command-line tests: an in-memory engine behind NSQ's TCP and HTTP servers on
 * 127.0.0.1, ephemeral ports; and a way to run {@code ferry} commands in this JVM against it.
 */
final class CliBroker implements AutoCloseable {
    /** What a command returned and printed. */
    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    final LocalEngine engine;
    final NsqTcpServer tcp;
    final NsqTcpServer http;

    CliBroker() {
        this(ServerOptions.defaults());
    }

    CliBroker(ServerOptions options) {
        this(options, EmbeddedEngineConfig.memory().build());
    }

    /** A broker with these protocol options over an in-memory engine with {@code engineConfig}. */
    CliBroker(ServerOptions options, EmbeddedEngineConfig engineConfig) {
        engine = LocalEngine.open(engineConfig);
        NsqTcpServer.Builder servers = NsqTcpServer.builder(engine).options(options);
        tcp = servers.startTcp("127.0.0.1", 0);
        http = servers.startHttp("127.0.0.1", 0);
    }

    /** nsqd's defaults with another maximum message size. */
    static ServerOptions maxMsgSize(int bytes) {
        ServerOptions d = ServerOptions.defaults();
        return d.withSizeLimits(bytes, d.maxBodySize());
    }

    String tcpAddress() {
        return "127.0.0.1:" + tcp.port();
    }

    String httpAddress() {
        return "127.0.0.1:" + http.port();
    }

    /** Runs {@code ferry command --nsqd-tcp-address <this broker> args...} and waits for it. */
    Run run(String command, String... args) {
        return start(command, args).join();
    }

    /** Starts {@code ferry command --nsqd-tcp-address <this broker> args...} on a thread of its own. */
    CompletableFuture<Run> start(String command, String... args) {
        List<String> argv = new ArrayList<>(List.of(command, "--nsqd-tcp-address", tcpAddress()));
        argv.addAll(List.of(args));
        return CompletableFuture.supplyAsync(() -> execute(argv.toArray(String[]::new)), r -> {
            Thread t = new Thread(r, "ferry-" + command);
            t.setDaemon(true);
            t.start();
        });
    }

    /** Runs {@code ferry args...} in this JVM, capturing what it prints. */
    static Run execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Ferry.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    void publish(String topic, String... bodies) {
        List<PublishRecord> batch = new ArrayList<>();
        for (String b : bodies) {
            batch.add(PublishRecord.of(b.getBytes(StandardCharsets.UTF_8)));
        }
        engine.append(topic, batch).join();
    }

    Optional<ChannelStats> channel(String topic, String channel) {
        return done(engine.stats(topic)).stream()
                .flatMap(t -> t.channels().stream())
                .filter(c -> c.name().equals(channel))
                .findFirst();
    }

    /** The consumers connected to a channel (0 when it does not exist). */
    int consumers(String topic, String channel) {
        return channel(topic, channel).map(ChannelStats::consumers).orElse(0);
    }

    Optional<TopicStats> topic(String topic) {
        return done(engine.stats(topic));
    }

    @Override
    public void close() {
        http.close();
        tcp.close();
        engine.close();
    }
}
