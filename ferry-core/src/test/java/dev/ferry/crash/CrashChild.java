package dev.ferry.crash;

import dev.ferry.Bus;
import dev.ferry.ChannelStats;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.Message;
import dev.ferry.SubscribeOptions;
import dev.ferry.SyncPolicy;
import dev.ferry.TopicStats;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The program that crash tests run in a child JVM and kill with SIGKILL. It opens an embedded bus in
 * {@code dir=...} and works in one of four modes, reporting each step as one line on stdout (flushed
 * at once, so a line the test reads happened before the kill):
 *
 * <ul>
 *   <li>{@code publish}: two publisher threads publish single messages and batches ({@code ACK body}
 *       after each publish returned) while a consumer finishes them ({@code DLV body attempts} on
 *       delivery, {@code FIN body epochMillis} after {@code finish()} returned true);
 *   <li>{@code attempts}: requeues each message until it reaches its target attempts ({@code REQ body
 *       attempts}), then holds it in flight ({@code HOLD body attempts}); then {@code TICK n};
 *   <li>{@code deferred}: publishes deferred messages ({@code ACK body publishMillis delayMillis}),
 *       optionally with a consumer that claims them into its deferral store ({@code DEFERRED n}); then
 *       {@code TICK n};
 *   <li>{@code paused}: publishes {@code before=N} messages to a topic with one channel, pauses the
 *       topic ({@code PAUSED}), then publishes single messages and batches ({@code ACK body} after
 *       each publish returned) under the {@code policy=} sync policy;
 *   <li>{@code straggler}: holds one message ({@code HOLD held attempts}) while many small ones flow
 *       past it ({@code PROGRESS published consumed storedBytes}, {@code DRAINED ...}); then {@code
 *       TICK n storedBytes}.
 * </ul>
 *
 * <p>The child halts when its stdin closes, so it never outlives the test JVM that started it.
 */
public final class CrashChild {
    static final String PUBLISH = "publish";
    static final String ATTEMPTS = "attempts";
    static final String DEFERRED = "deferred";
    static final String STRAGGLER = "straggler";
    static final String PAUSED = "paused";

    static final String HELD_BODY = "held";

    private static final PrintStream OUT =
            new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false);

    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            opts.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        haltWhenParentGoes();
        Path dir = Path.of(opts.get("dir"));
        switch (opts.get("mode")) {
            case PUBLISH -> publish(dir, opts);
            case ATTEMPTS -> attempts(dir, opts);
            case DEFERRED -> deferred(dir, opts);
            case STRAGGLER -> straggler(dir, opts);
            case PAUSED -> paused(dir, opts);
            default -> throw new IllegalArgumentException("unknown mode " + opts.get("mode"));
        }
        // the test kills us; never exit on our own
        new CountDownLatch(1).await();
    }

    /** Writes one protocol line and flushes it, so the test sees it before anything later happens. */
    static void out(String line) {
        synchronized (OUT) {
            OUT.print(line);
            OUT.print('\n');
            OUT.flush();
        }
    }

    private static String text(Message m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void haltWhenParentGoes() {
        Thread t = new Thread(
                () -> {
                    InputStream in = System.in;
                    try {
                        while (in.read() >= 0) {
                            // the parent writes nothing; EOF means it is gone
                        }
                    } catch (IOException e) {
                        // treat as EOF
                    }
                    Runtime.getRuntime().halt(3);
                },
                "crash-child-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static void tick(long periodMillis, java.util.function.LongFunction<String> line) {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "crash-child-ticker");
            t.setDaemon(true);
            return t;
        });
        AtomicLong n = new AtomicLong();
        ticker.scheduleWithFixedDelay(
                () -> out(line.apply(n.incrementAndGet())), 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    private static List<Long> longs(String csv) {
        return Arrays.stream(csv.split(",")).map(Long::parseLong).toList();
    }

    private static ChannelStats channel(Bus bus, String topic) {
        TopicStats stats = bus.admin().topic(topic).orElseThrow();
        return stats.channels().get(0);
    }

    // ---- publish: acknowledged publishes and finishes while publishing --------------------------

    private static void publish(Path dir, Map<String, String> opts) {
        long seed = Long.parseLong(opts.get("seed"));
        SyncPolicy policy = SyncPolicy.valueOf(opts.get("policy"));
        Bus bus = Bus.builder()
                .engine(EmbeddedEngineConfig.file(dir).syncPolicy(policy).build())
                .open();
        String topic = "crash";
        bus.subscribe(
                topic,
                "c",
                m -> {
                    m.takeControl();
                    String body = text(m);
                    out("DLV " + body + " " + m.attempts());
                    if (m.finish()) {
                        out("FIN " + body + " " + System.currentTimeMillis());
                    }
                },
                SubscribeOptions.maxInFlight(16));
        for (int t = 0; t < 2; t++) {
            int thread = t;
            Thread publisher = new Thread(
                    () -> {
                        Random random = new Random(seed + thread);
                        long n = 0;
                        while (true) {
                            if (random.nextInt(10) < 3) {
                                int size = 2 + random.nextInt(19);
                                List<String> batch = new ArrayList<>(size);
                                for (int i = 0; i < size; i++) {
                                    batch.add("p" + thread + "-" + n++);
                                }
                                bus.publish(
                                        topic,
                                        batch.stream().map(CrashChild::bytes).toList());
                                batch.forEach(b -> out("ACK " + b));
                            } else {
                                String body = "p" + thread + "-" + n++;
                                bus.publish(topic, bytes(body));
                                out("ACK " + body);
                            }
                        }
                    },
                    "crash-child-publisher-" + t);
            publisher.start();
        }
    }

    // ---- paused: publishes to a paused topic ------------------------------------------------------

    private static void paused(Path dir, Map<String, String> opts) {
        int before = Integer.parseInt(opts.get("before"));
        Random random = new Random(Long.parseLong(opts.get("seed")));
        Bus bus = Bus.builder()
                .engine(EmbeddedEngineConfig.file(dir)
                        .syncPolicy(SyncPolicy.valueOf(opts.get("policy")))
                        .build())
                .open();
        String topic = "held";
        bus.admin().createChannel(topic, "c");
        for (int i = 0; i < before; i++) {
            String body = "before-" + i;
            bus.publish(topic, bytes(body));
            out("ACK " + body);
        }
        bus.admin().pauseTopic(topic);
        out("PAUSED");
        long n = 0;
        while (true) {
            int size = random.nextInt(10) < 3 ? 2 + random.nextInt(19) : 1;
            List<String> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                batch.add("held-" + n++);
            }
            bus.publish(topic, batch.stream().map(CrashChild::bytes).toList());
            batch.forEach(b -> out("ACK " + b));
        }
    }

    // ---- attempts: messages held in flight after two or three deliveries ------------------------

    private static void attempts(Path dir, Map<String, String> opts) {
        List<Long> targets = longs(opts.get("targets"));
        List<Long> delays = longs(opts.get("delays"));
        int count = targets.size();
        Bus bus = Bus.embedded(dir);
        String topic = "attempts";
        AtomicInteger held = new AtomicInteger();
        bus.subscribe(
                topic,
                "c",
                m -> {
                    m.takeControl();
                    String body = text(m);
                    int index = Integer.parseInt(body.substring(1));
                    if (m.attempts() < targets.get(index)) {
                        if (m.requeue(Duration.ofMillis(delays.get(index)))) {
                            out("REQ " + body + " " + m.attempts());
                        }
                    } else {
                        out("HOLD " + body + " " + m.attempts());
                        if (held.incrementAndGet() == count) {
                            tick(20, n -> "TICK " + n);
                        }
                    }
                },
                SubscribeOptions.maxInFlight(count).withMessageTimeout(Duration.ofMinutes(10)));
        for (int i = 0; i < count; i++) {
            String body = "h" + i;
            bus.publish(topic, bytes(body));
            out("ACK " + body);
        }
    }

    // ---- deferred: due times across a restart ---------------------------------------------------

    private static void deferred(Path dir, Map<String, String> opts) {
        List<Long> delays = longs(opts.get("delays"));
        boolean consumer = Boolean.parseBoolean(opts.get("consumer"));
        Bus bus = Bus.embedded(dir);
        String topic = "later";
        if (consumer) {
            bus.subscribe(
                    topic,
                    "c",
                    m -> out("DLV " + text(m) + " " + System.currentTimeMillis()),
                    SubscribeOptions.maxInFlight(16));
        } else {
            bus.admin().createChannel(topic, "c");
        }
        for (int i = 0; i < delays.size(); i++) {
            String body = "d" + i;
            long before = System.currentTimeMillis();
            bus.publishDeferred(topic, bytes(body), Duration.ofMillis(delays.get(i)));
            out("ACK " + body + " " + before + " " + delays.get(i));
        }
        if (consumer) {
            // the consumer has claimed them all into its deferral store
            while (channel(bus, topic).deferred() < delays.size()) {
                LockSupport.parkNanos(1_000_000);
            }
            out("DEFERRED " + channel(bus, topic).deferred());
        }
        tick(25, n -> "TICK " + n);
    }

    // ---- straggler: one message held while many flow past it -----------------------------------

    private static void straggler(Path dir, Map<String, String> opts) throws Exception {
        long total = Long.parseLong(opts.get("total"));
        int batch = Integer.parseInt(opts.get("batch"));
        int lag = Integer.parseInt(opts.get("lag"));
        String hold = opts.get("hold");
        int segmentBytes = Integer.parseInt(opts.get("segmentBytes"));
        Bus bus = Bus.builder()
                .engine(EmbeddedEngineConfig.file(dir)
                        .segmentBytes(segmentBytes)
                        .build())
                .open();
        String topic = "flow";
        Path topicDir = dir.resolve("topics").resolve("t-" + topic);
        AtomicLongArray seen = new AtomicLongArray((int) (total / 64 + 1));
        AtomicLong consumed = new AtomicLong();
        Semaphore room = new Semaphore(lag);
        CountDownLatch heldOnce = new CountDownLatch(1);
        ScheduledExecutorService toucher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "crash-child-toucher");
            t.setDaemon(true);
            return t;
        });
        Duration timeout = hold.equals("touch") ? Duration.ofSeconds(3) : Duration.ofMinutes(10);
        bus.subscribe(
                topic,
                "c",
                m -> {
                    String body = text(m);
                    if (body.equals(HELD_BODY)) {
                        m.takeControl();
                        out("HOLD " + body + " " + m.attempts());
                        switch (hold) {
                            case "requeue" -> m.requeue(Duration.ofMillis(200));
                            case "touch" ->
                                toucher.scheduleWithFixedDelay(
                                        () -> {
                                            if (!m.touch()) {
                                                out("TOUCHFAIL " + m.attempts());
                                            }
                                        },
                                        500,
                                        500,
                                        TimeUnit.MILLISECONDS);
                            default -> {
                                // stays in flight until the kill
                            }
                        }
                        heldOnce.countDown();
                        return;
                    }
                    long n = Long.parseLong(body, 1, body.length(), 10);
                    int word = (int) (n >>> 6);
                    long bit = 1L << (n & 63);
                    long old;
                    do {
                        old = seen.get(word);
                        if ((old & bit) != 0) {
                            return; // a redelivery after a timeout
                        }
                    } while (!seen.compareAndSet(word, old, old | bit));
                    consumed.incrementAndGet();
                    room.release();
                },
                SubscribeOptions.maxInFlight(256).withMessageTimeout(timeout));

        bus.publish(topic, bytes(HELD_BODY));
        out("ACK " + HELD_BODY);
        heldOnce.await();
        long progressEvery = Math.max(batch, total / 40 / batch * batch);
        long published = 0;
        List<byte[]> bodies = new ArrayList<>(batch);
        while (published < total) {
            int size = (int) Math.min(batch, total - published);
            room.acquire(size);
            bodies.clear();
            for (int i = 0; i < size; i++) {
                bodies.add(bytes("m" + (published + i)));
            }
            bus.publish(topic, bodies);
            published += size;
            if (published % progressEvery == 0 || published == total) {
                out("PROGRESS " + published + " " + consumed.get() + " " + storedBytes(bus, topic) + " "
                        + segments(topicDir));
            }
        }
        room.acquire(lag); // every message consumed
        out("DRAINED " + consumed.get() + " " + storedBytes(bus, topic));
        tick(25, n -> "TICK " + n + " " + storedBytes(bus, topic));
    }

    private static long storedBytes(Bus bus, String topic) {
        return bus.admin().topic(topic).orElseThrow().storedBytes();
    }

    static long segments(Path topicDir) {
        try (Stream<Path> files = Files.list(topicDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg"))
                    .count();
        } catch (IOException e) {
            return -1;
        }
    }
}
