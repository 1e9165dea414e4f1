package dev.ferry.bench;

import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.nsq.NsqBus;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Federated vs direct, side by side in one run: one broker in this process (embedded engine on a
 * fresh directory, the NSQ TCP port, the HTTP port with federation, the HTTPS port with a self-signed
 * certificate made with {@code openssl}) and the Java client reaching it three ways, taken in turn
 * within each round so that every path sees the same load:
 *
 * <ul>
 *   <li>{@code tcp}: the broker's TCP port, as {@code Bus.connect("host:port")};
 *   <li>{@code ws}: its federation WebSocket, {@code ws://host:httpPort/federate} with a key;
 *   <li>{@code wss}: the same over TLS on the HTTPS port.
 * </ul>
 *
 * <p>For each path: the <b>publish</b> rate (MPUBs of 200 × 200 B from 2 threads over 2 publishing
 * connections, as {@code ferry bench client-writer}), the <b>consume</b> rate (one subscription with
 * max in flight 2500 draining a backlog of 300,000 such messages published over TCP beforehand, as
 * {@code client-reader}; the rate runs to the last message taken), and publish-to-delivery <b>latency</b> at fixed rates: single 200 B messages
 * published asynchronously on a schedule and consumed through the same path, each carrying the time
 * it was due to be sent (so a publisher that falls behind shows as latency, not as a lower rate),
 * the first second dropped as warm-up. Beside each rate, the CPU time the whole process (broker and
 * client) spent per message: on a machine shared with other work the rates vary with the share of the
 * cores the run gets, the CPU time much less. A first round, not shown, warms every path up; each round
 * starts with another path.
 *
 * <p>Run: {@code java -cp ferry-bench/target/benchmarks.jar dev.ferry.bench.FederatedVsDirect
 * [seconds per measurement, 5] [rounds, 2] [paths, tcp,ws,wss] [rates, 1000,10000; - for none]}
 */
public final class FederatedVsDirect {
    private static final int BODY = 200;
    private static final int BATCH = 200;
    private static final int WRITERS = 2;
    private static final int MAX_IN_FLIGHT = 2500;
    private static final String CHANNEL = "bench";
    private static final int BACKLOG = 300_000;

    private FederatedVsDirect() {}

    /** Runs the rounds and prints one line per measurement and a summary per path. */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<String> paths = List.of((args.length > 2 ? args[2] : "tcp,ws,wss").split(","));
        String rateList = args.length > 3 ? args[3] : "1000,10000";
        int[] rates = rateList.equals("-")
                ? new int[0]
                : Arrays.stream(rateList.split(",")).mapToInt(Integer::parseInt).toArray();
        Path dir = DataDirs.create("ferry-bench-federation-");
        try (FederatedBroker broker = FederatedBroker.start(dir);
                Bus filler = NsqBus.connect(broker.options("tcp"))) {
            System.out.printf("load %s; %d s per measurement, %d rounds%n", load(), seconds, rounds);
            // round 0 warms the JIT up on every path and is not shown
            for (int round = 0; round <= rounds; round++) {
                for (String path : inTurn(paths, round)) {
                    String topic = "rate-" + path + "-" + round;
                    broker.createChannel(topic, CHANNEL);
                    try (Bus bus = NsqBus.connect(broker.options(path))) {
                        int time = round == 0 ? Math.min(2, seconds) : seconds;
                        long cpu = cpuNanos();
                        Rate published = publishRate(bus, topic, time);
                        long cpuPublish = cpuNanos() - cpu;
                        broker.deleteTopic(topic);
                        // every path drains a backlog of the same size, filled over TCP beforehand
                        topic = "backlog-" + path + "-" + round;
                        broker.createChannel(topic, CHANNEL);
                        fill(filler, topic);
                        cpu = cpuNanos();
                        Rate consumed = consumeRate(bus, topic, time);
                        long cpuConsume = cpuNanos() - cpu;
                        if (round > 0) {
                            System.out.printf(
                                    "round %d %-3s publish %,10.0f msg/s %5.2f µs CPU/msg  consume %,10.0f msg/s %5.2f µs"
                                            + " CPU/msg  (load %s)%n",
                                    round,
                                    path,
                                    published.perSecond(),
                                    cpuPublish / 1e3 / published.messages(),
                                    consumed.perSecond(),
                                    cpuConsume / 1e3 / consumed.messages(),
                                    load());
                        }
                    }
                    broker.deleteTopic(topic);
                }
            }
            for (int rate : rates) {
                for (int round = 1; round <= rounds; round++) {
                    for (String path : inTurn(paths, round)) {
                        String topic = "latency-" + path + "-" + rate + "-" + round;
                        broker.createChannel(topic, CHANNEL);
                        try (Bus bus = NsqBus.connect(broker.options(path))) {
                            long[] micros = latency(bus, topic, rate, seconds);
                            System.out.printf(
                                    "round %d %-3s %,6d msg/s  p50 %,8d µs  p99 %,8d µs  max %,8d µs  (%d samples,"
                                            + " load %s)%n",
                                    round,
                                    path,
                                    rate,
                                    percentile(micros, 0.50),
                                    percentile(micros, 0.99),
                                    micros.length == 0 ? 0 : micros[micros.length - 1],
                                    micros.length,
                                    load());
                        }
                        broker.deleteTopic(topic);
                    }
                }
            }
        } finally {
            DataDirs.delete(dir);
        }
    }

    /** The paths starting with a different one each round, so that none is always measured first. */
    private static List<String> inTurn(List<String> paths, int round) {
        List<String> turned = new ArrayList<>(paths);
        java.util.Collections.rotate(turned, -(round % paths.size()));
        return turned;
    }

    /** How many messages a measurement counted, and how many a second. */
    private record Rate(long messages, double perSecond) {}

    /** The CPU time this process (broker and clients) has used, in ns. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** MPUBs from {@link #WRITERS} threads for {@code seconds}; messages acknowledged per second. */
    private static Rate publishRate(Bus bus, String topic, int seconds) throws InterruptedException {
        List<byte[]> batch = DataDirs.batch(DataDirs.body(BODY), BATCH);
        AtomicLong published = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            writers.add(Thread.ofPlatform().name("bench-writer-" + i).start(() -> {
                while (System.nanoTime() < deadline) {
                    bus.publish(topic, batch);
                    published.addAndGet(BATCH);
                }
            }));
        }
        for (Thread t : writers) {
            t.join();
        }
        return new Rate(published.get(), published.get() / ((System.nanoTime() - start) / 1e9));
    }

    /** Publishes {@link #BACKLOG} messages to {@code topic}, in MPUBs of {@link #BATCH}. */
    private static void fill(Bus bus, String topic) {
        List<byte[]> batch = DataDirs.batch(DataDirs.body(BODY), BATCH);
        for (int i = 0; i < BACKLOG / BATCH; i++) {
            bus.publish(topic, batch);
        }
    }

    /**
     * Drains the topic for at most {@code seconds}, or until {@link #BACKLOG} messages came; messages
     * per second up to the last one taken.
     */
    private static Rate consumeRate(Bus bus, String topic, int seconds) {
        AtomicLong consumed = new AtomicLong();
        AtomicLong last = new AtomicLong();
        long start = System.nanoTime();
        Subscription sub = bus.subscribe(
                topic,
                CHANNEL,
                m -> {
                    consumed.incrementAndGet();
                    last.set(System.nanoTime());
                },
                SubscribeOptions.maxInFlight(MAX_IN_FLIGHT));
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        long seen = -1;
        // stop at the deadline, or once nothing came for half a second (the backlog is drained)
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            long now = consumed.get();
            if (now >= BACKLOG || (now == seen && now > 0)) {
                break;
            }
            seen = now;
        }
        sub.close();
        long end = consumed.get() == 0 ? System.nanoTime() : last.get();
        return new Rate(consumed.get(), consumed.get() / ((end - start) / 1e9));
    }

    /**
     * Publishes {@code rate} single messages a second for {@code seconds} + 1 and returns the sorted
     * publish-to-delivery times in µs of those due after the first second.
     */
    private static long[] latency(Bus bus, String topic, int rate, int seconds) throws InterruptedException {
        int warmup = rate;
        int total = rate * (seconds + 1);
        long[] micros = new long[total - warmup];
        AtomicInteger recorded = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger();
        Subscription sub = bus.subscribe(
                topic,
                CHANNEL,
                m -> {
                    long now = System.nanoTime();
                    long due = readLong(m.body(), 0);
                    int seq = (int) readLong(m.body(), 8);
                    if (seq >= warmup) {
                        int at = recorded.getAndIncrement();
                        if (at < micros.length) { // a redelivery is not counted twice
                            micros[at] = (now - due) / 1000;
                        }
                    }
                    delivered.incrementAndGet();
                },
                SubscribeOptions.maxInFlight(MAX_IN_FLIGHT));
        // the subscription is in place before the first message: publish one and wait for it
        bus.publish(topic, stamp(System.nanoTime(), -1));
        long ready = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered.get() == 0 && System.nanoTime() < ready) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        List<CompletableFuture<Void>> acks = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            acks.add(bus.publishAsync(topic, stamp(due, i)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (delivered.get() < total + 1 && System.nanoTime() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        sub.close();
        long[] got = Arrays.copyOf(micros, Math.min(recorded.get(), micros.length));
        Arrays.sort(got);
        if (got.length < micros.length) {
            System.out.printf("  (%s: %d of %d messages arrived within 30 s)%n", topic, got.length, micros.length);
        }
        return got;
    }

    private static byte[] stamp(long due, long seq) {
        byte[] body = new byte[BODY];
        writeLong(body, 0, due);
        writeLong(body, 8, seq);
        return body;
    }

    private static void writeLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long readLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** The 1-minute load average, or "?" where /proc/loadavg cannot be read. */
    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
