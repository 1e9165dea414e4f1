package dev.ferry.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Bus;
import dev.ferry.BusConfig;
import dev.ferry.SubscribeOptions;
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
 * The request/reply round trip in one process: {@code bus.query} of a small JSON object to a
 * topic answered by {@code bus.respond} on the same bus (max in flight 64), from 1 and from 64
 * concurrent callers. Sample-time mode, so JMH reports the latency distribution (p50, p99) of one
 * query: publish the request, claim it, run the responder, publish the reply to the ephemeral reply
 * topic, claim it, complete the caller's future.
 *
 * <p>{@code engine=embedded} stores requests in a data directory (sync INTERVAL; each trial a fresh
 * temporary directory, deleted afterwards); {@code engine=memory} is {@code Bus.inMemory()}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class QueryBenchmark {
    private static final String TOPIC = "bench-query";
    private static final String REQUEST =
            "{\"Event-Category\":\"call_event\",\"Event-Name\":\"query_user_channels_req\",\"Realm\":\"example.com\"}";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Param({"embedded", "memory"})
    String engine;

    private Path dir;
    private Bus bus;

    @Setup(Level.Trial)
    public void open() {
        if (engine.equals("embedded")) {
            dir = DataDirs.create("ferry-bench-query-");
            bus = Bus.create(BusConfig.embedded(dir).build());
        } else {
            bus = Bus.inMemory();
        }
        ObjectMapper json = new ObjectMapper();
        bus.respond(
                TOPIC,
                "responders",
                request -> json.createObjectNode().put("switch_url", "sip:fs1@10.0.0.1"),
                SubscribeOptions.maxInFlight(64));
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            bus.close();
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
