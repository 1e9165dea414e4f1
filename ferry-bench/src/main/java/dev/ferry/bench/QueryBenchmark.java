package dev.ferry.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Bus;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.SubscribeOptions;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.spi.Engine;
import dev.ferry.support.EmbeddedEngines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The request/reply round trip: {@code bus.query} of a small JSON object to a topic answered by
 * {@code bus.respond} (max in flight 64), from 1 and from 64 concurrent callers. Sample-time mode, so
 * JMH reports the latency distribution (p50, p99) of one query: publish the request, claim it, run
 * the responder, publish the reply to the ephemeral reply topic, claim it, complete the caller's
 * future.
 *
 * <p>In one process, on one bus: {@code engine=embedded} stores requests in a data directory (sync
 * INTERVAL; each trial a fresh temporary directory, deleted afterwards); {@code engine=memory} is
 * {@code Bus.inMemory()}. Over loopback, {@code engine=loopback}: a broker as {@code ferry server}
 * runs it (the embedded engine on a fresh data directory, sync INTERVAL, NSQ's TCP protocol on
 * 127.0.0.1) in this JVM, and two NSQ clients ({@code Bus.connect}) connect to it, one asking, one
 * responding; each query crosses the loopback four times (PUB, request message, PUB of the reply,
 * reply message), plus the FINs and the PUBs' OKs.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class QueryBenchmark {
    private static final String TOPIC = "bench-query";
    private static final String REQUEST =
            "{\"Event-Category\":\"call_event\",\"Event-Name\":\"query_user_channels_req\",\"Realm\":\"example.com\"}";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Param({"embedded", "memory", "loopback"})
    String engine;

    private Path dir;
    private Engine brokerEngine;
    private NsqTcpServer broker;
    private Bus responder;
    private Bus bus;

    @Setup(Level.Trial)
    public void open() {
        switch (engine) {
            case "embedded" -> {
                dir = DataDirs.create("ferry-bench-query-");
                bus = Bus.embedded(dir);
                responder = bus;
            }
            case "memory" -> {
                bus = Bus.inMemory();
                responder = bus;
            }
            case "loopback" -> {
                dir = DataDirs.create("ferry-bench-query-");
                brokerEngine =
                        EmbeddedEngines.open(EmbeddedEngineConfig.file(dir).build());
                broker = NsqTcpServer.builder(brokerEngine).startTcp("127.0.0.1", 0);
                String address = "127.0.0.1:" + broker.port();
                responder = NsqBus.connect(ConnectOptions.nsqd(address).build());
                bus = NsqBus.connect(ConnectOptions.nsqd(address).build());
            }
            default -> throw new IllegalArgumentException("engine " + engine);
        }
        ObjectMapper json = new ObjectMapper();
        responder.respond(
                TOPIC,
                "responders",
                request -> json.createObjectNode().put("switch_url", "sip:fs1@10.0.0.1"),
                SubscribeOptions.maxInFlight(64));
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            bus.close();
            responder.close();
            if (broker != null) {
                broker.close();
                brokerEngine.close();
            }
        } finally {
            DataDirs.delete(dir);
        }
    }

    @Benchmark
    @Threads(1)
    public String query1Caller() {
        return bus.query(TOPIC, REQUEST, TIMEOUT);
    }

    @Benchmark
    @Threads(64)
    public String query64Callers() {
        return bus.query(TOPIC, REQUEST, TIMEOUT);
    }
}
