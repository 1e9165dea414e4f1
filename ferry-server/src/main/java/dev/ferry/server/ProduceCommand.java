package dev.ferry.server;

import dev.ferry.Bus;
import dev.ferry.FerryException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ferry produce --topic T}: a load producer. Each of {@code --threads} threads publishes a JSON
 * event every {@code --interval} (0: as fast as the broker acknowledges), each event carrying a
 * payload of {@code --payload-keys} keys of {@value #BYTES_PER_KEY} bytes each, so 10,000 keys make
 * about 1 MB. Stops after {@code --count} events in all, or when stopped; prints the rate on the way
 * and at the end.
 *
 * <p>An event over the broker's maximum message size is refused by the broker; the command then
 * fails, saying so and how to raise the limit.
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Publish JSON events to a stream (topic) from several threads, each event with a payload of"
                    + " --payload-keys keys of about 100 bytes each (10,000 keys: about 1 MB), and print the rate.",
            "Runs until --count events or until stopped."
        })
final class ProduceCommand extends ClientCommand {
    /** The bytes one payload key adds to an event: {@code "k0000001":"<86 characters>",}. */
    static final int BYTES_PER_KEY = 100;

    @Mixin
    private ReportOptions report;

    @Option(
            names = {"--topic", "-topic"},
            required = true,
            description = "The stream (topic) to publish to.")
    private String topic;

    @Option(
            names = {"--payload-keys", "-payload-keys"},
            defaultValue = "10",
            paramLabel = "N",
            description = "Keys in each event's payload, about 100 bytes each (default: ${DEFAULT-VALUE}).")
    private int payloadKeys;

    @Option(
            names = {"--threads", "-threads"},
            defaultValue = "1",
            paramLabel = "N",
            description = "Threads publishing independently (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(
            names = {"--interval", "-interval"},
            defaultValue = "1s",
            converter = GoDuration.class,
            paramLabel = "DURATION",
            description = "Time between two events of one thread; 0 as fast as possible (default: ${DEFAULT-VALUE}).")
    private Duration interval;

    @Option(
            names = {"--count", "-count"},
            defaultValue = "0",
            paramLabel = "N",
            description = "Stop after N events in all (default: 0, no limit).")
    private long count;

    @Override
    public Integer call() throws InterruptedException {
        check();
        String payload = payload(payloadKeys);
        int eventBytes = event(0, 0, payload).length;
        AtomicLong claimed = new AtomicLong();
        AtomicLong published = new AtomicLong();
        long start = System.nanoTime();
        ChannelConsumption.log(
                spec.commandLine().getErr(),
                "produce: " + threads + " thread(s) publishing events of about " + eventBytes + " bytes to " + topic
                        + " on " + broker.describe()
                        + (interval.isZero() ? "" : " every " + ChannelConsumption.readable(interval)));
        // the broker, not this client, decides what is too big: let any size reach it
        int limit = Math.max(1 << 20, eventBytes + 1024);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ferry-produce");
            t.setDaemon(true);
            return t;
        });
        try (Bus bus = broker.connect(b ->
                        b.publishing(p -> p.maxMessageSize(limit).maxBodySize(Math.max(5 << 20, limit))));
                RateReporter ignored = report.start("produce", published::get)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    produce(bus, thread, payload, claimed, published);
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                try {
                    w.get();
                } catch (ExecutionException e) {
                    workers.forEach(other -> other.cancel(true));
                    throw failure(e.getCause(), eventBytes);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        ChannelConsumption.log(
                spec.commandLine().getErr(),
                "produce: " + RateReporter.rate(published.get(), System.nanoTime() - start) + " to " + topic);
        return 0;
    }

    private void check() {
        checkTopic(topic);
        if (payloadKeys < 0 || threads < 1 || count < 0 || interval.isNegative()) {
            throw usageError(
                    "--payload-keys and --count must not be negative, --threads must be at least 1 and --interval"
                            + " not negative; got " + payloadKeys + ", " + count + ", " + threads + ", " + interval);
        }
    }

    /** One thread's loop: claim an event number, publish it, wait for the next tick. */
    private void produce(Bus bus, int thread, String payload, AtomicLong claimed, AtomicLong published)
            throws InterruptedException {
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            long seq = claimed.incrementAndGet();
            if (count > 0 && seq > count) {
                return;
            }
            bus.publish(topic, event(seq, thread, payload));
            published.incrementAndGet();
            if (!interval.isZero()) {
                next += interval.toNanos();
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        }
    }

    /** A failure of a producing thread, reworded when the broker found the event too big. */
    private RuntimeException failure(Throwable cause, int eventBytes) {
        Optional<SizeRefusal> tooBig = SizeRefusal.in(cause);
        if (tooBig.isPresent()) {
            SizeRefusal r = tooBig.get();
            return new FerryException(
                    "an event of " + r.size() + " bytes (" + payloadKeys + " payload keys) is " + r.over() + " ("
                            + cause.getMessage() + "). Use fewer --payload-keys, or raise the broker's limit: "
                            + r.advice(eventBytes),
                    cause);
        }
        return cause instanceof RuntimeException re
                ? re
                : new FerryException("produce to " + topic + " failed: " + cause, cause);
    }

    /** The payload object's members: {@code "k0000000":"aaaa…",} repeated, {@value #BYTES_PER_KEY} bytes each. */
    static String payload(int keys) {
        StringBuilder b = new StringBuilder(keys * BYTES_PER_KEY);
        for (int k = 0; k < keys; k++) {
            if (k > 0) {
                b.append(',');
            }
            // 14 bytes of quotes, colon, comma and key name around an 86-byte value
            char fill = (char) ('a' + k % 26);
            b.append("\"k").append(String.format("%07d", k)).append("\":\"");
            b.append(String.valueOf(fill).repeat(BYTES_PER_KEY - 14)).append('"');
        }
        return b.toString();
    }

    /** One event: its number, thread, time and id around the payload. */
    static byte[] event(long seq, int thread, String payload) {
        return ("{\"id\":\"" + UUID.randomUUID() + "\",\"seq\":" + seq + ",\"thread\":" + thread + ",\"time\":\""
                        + Instant.now() + "\",\"payload\":{" + payload + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
