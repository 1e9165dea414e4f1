package dev.ferry.bench.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * kill -9 in a loop under mixed load: two publishers (PUB and MPUB of 10) and a consumer that
 * finishes what it gets, all reconnecting to whichever broker runs; the broker is killed with
 * SIGKILL at seeded random moments and started again over the same data. At the end every
 * acknowledged body must have been delivered; duplicates (a finish lost with the process, or a
 * delivery in flight) are counted, not failed.
 */
final class KillLoop {
    private static final String TOPIC = "chaos.kill";
    private static final String CHANNEL = "c";

    private KillLoop() {}

    static Row run(Run run) throws Exception {
        String fault = "kill -9 loop under publish (PUB + MPUB) and consume load";
        Path data = run.dir("kill").resolve("data");
        Random random = run.random("kill");
        Ledger ledger = new Ledger();
        AtomicReference<Broker> current = new AtomicReference<>(run.broker(data));
        current.get().http("POST", "/channel/create?topic=" + TOPIC + "&channel=" + CHANNEL, null);
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicBoolean consuming = new AtomicBoolean(true);
        AtomicInteger refused = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int publisher = p;
            threads.add(Thread.ofPlatform()
                    .name("kill-publisher-" + p)
                    .start(() -> publish(current, publisher, publishing, ledger, refused)));
        }
        Thread consumer = Thread.ofPlatform().name("kill-consumer").start(() -> consume(current, consuming, ledger));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(run.secondsPerRow());
        int kills = 0;
        try {
            while (System.nanoTime() < end) {
                // once this broker has acknowledged something (10 s at most: a loaded machine starts a
                // JVM slowly), let the load run 0.5 to 2.5 s more, then kill it
                int before = ledger.acknowledgedCount();
                long loaded = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ledger.acknowledgedCount() == before && System.nanoTime() < loaded) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(2000)));
                current.get().kill();
                kills++;
                current.set(run.broker(data));
            }
            publishing.set(false);
            for (Thread t : threads) {
                t.join();
            }
            // everything acknowledged must arrive; give the consumer until it has, or 60 s
            long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Set<String> acked = ledger.acknowledgedBodies();
            while (System.nanoTime() < drainEnd && !ledger.missing(acked).isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        } finally {
            publishing.set(false);
            consuming.set(false);
            consumer.join(30_000);
            current.get().close();
        }
        Set<String> lost = ledger.lost();
        String result = String.format(
                "%d kills; %,d acknowledged, %,d delivered, %,d lost, %,d duplicates%s",
                kills,
                ledger.acknowledgedCount(),
                ledger.deliveredCount(),
                lost.size(),
                ledger.duplicates(),
                lost.isEmpty()
                        ? ""
                        : " (e.g. " + lost.stream().sorted().limit(3).toList() + ")");
        return Row.of(lost.isEmpty() && ledger.acknowledgedCount() > 0, fault, result);
    }

    private static void publish(
            AtomicReference<Broker> current,
            int publisher,
            AtomicBoolean publishing,
            Ledger ledger,
            AtomicInteger refused) {
        long n = 0;
        while (publishing.get()) {
            try (NsqConnection c = NsqConnection.open(current.get().tcpPort(), 5000)) {
                while (publishing.get()) {
                    if (n % 3 == 0) {
                        List<byte[]> batch = new ArrayList<>();
                        List<String> bodies = new ArrayList<>();
                        for (int i = 0; i < 10; i++) {
                            String body = body(publisher, n++);
                            bodies.add(body);
                            batch.add(body.getBytes(StandardCharsets.UTF_8));
                        }
                        if (c.publishMany(TOPIC, batch).equals("OK")) {
                            bodies.forEach(ledger::acknowledged);
                        } else {
                            refused.incrementAndGet();
                        }
                    } else {
                        String body = body(publisher, n++);
                        if (c.publish(TOPIC, body.getBytes(StandardCharsets.UTF_8))
                                .equals("OK")) {
                            ledger.acknowledged(body);
                        } else {
                            refused.incrementAndGet();
                        }
                    }
                }
            } catch (IOException e) {
                // the broker was killed (or is starting): try the next one shortly
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    private static String body(int publisher, long n) {
        return "kill-" + publisher + "-" + n + "-" + "x".repeat(64);
    }

    private static void consume(AtomicReference<Broker> current, AtomicBoolean consuming, Ledger ledger) {
        while (consuming.get()) {
            try (NsqConnection c = NsqConnection.open(current.get().tcpPort(), 1000)) {
                c.subscribe(TOPIC, CHANNEL, 100);
                while (consuming.get()) {
                    NsqConnection.Frame f;
                    try {
                        f = c.next();
                    } catch (java.net.SocketTimeoutException e) {
                        continue;
                    }
                    if (f.type() == NsqConnection.MESSAGE) {
                        ledger.delivered(f.body());
                        c.finish(f.id());
                        c.flush();
                    }
                }
            } catch (IOException e) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }
}
